// CEL source text as GKE admits it, made parseable by a standard CEL parser.
//
// GKE's `celMatcher` allow-list accepts curly-quoted string literals (“...”), which no CEL grammar has; they
// are rewritten to double-quoted literals of the same length so positions in error messages still point at
// the user's text.

export function normalizeCurlyQuotes(expr: string): string {
  if (!expr.includes('\u201c')) return expr;
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === '\\') {
        out += c + (expr[i + 1] ?? '');
        i++;
        continue;
      }
      if ((quote === '\u201c' && c === '\u201d') || c === quote) {
        out += quote === '\u201c' ? '"' : c;
        quote = undefined;
        continue;
      }
      // A plain `"` inside a curly-quoted literal must not end the rewritten literal.
      out += quote === '\u201c' && c === '"' ? "'" : c;
      continue;
    }
    if (c === '"' || c === "'" || c === '\u201c') {
      quote = c;
      out += c === '\u201c' ? '"' : c;
      continue;
    }
    out += c;
  }
  return out;
}
