// Route selection behind a small interface (as Hono does with its routers), so a faster implementation can
// replace this one and run the same table-driven tests.
//
// The controller emits RouteRuleIR entries already sorted by Gateway API precedence. This matcher indexes
// them so that a lookup costs O(path depth) map probes plus the few candidates that share the request's
// path, independent of the number of routes:
//   hostname bucket (exact → longest wildcard → catch-all, falling back when a bucket has no match)
//     → exact-path map → PathPrefix trie walked from the deepest matching segment → regexes (last).

import type { RouteRuleIR, StringMatchIR } from '../../ir/snapshot.js';
import { HostTable } from './host-table.js';
import { compileRegex, type Regex } from './regex.js';

/** What a matcher needs of a request; header names are lowercase. */
export interface RouteRequest {
  readonly host: string;
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Raw query string without `?`, or '' when none. */
  readonly query: string;
  header(name: string): string | undefined;
}

export interface RouteMatcher {
  match(request: RouteRequest): RouteRuleIR | undefined;
}

interface Candidate {
  /** Position in the IR list: lower wins. */
  readonly rank: number;
  readonly rule: RouteRuleIR;
  readonly method: string | undefined;
  readonly headers: readonly CompiledStringMatch[];
  readonly query: readonly CompiledStringMatch[];
}

interface CompiledStringMatch {
  readonly name: string;
  readonly exact?: string;
  readonly regex?: Regex;
}

class PrefixNode {
  readonly children = new Map<string, PrefixNode>();
  readonly candidates: Candidate[] = [];
}

class HostBucket {
  readonly exact = new Map<string, Candidate[]>();
  readonly prefixRoot = new PrefixNode();
  readonly regex: Array<{ re: Regex; candidate: Candidate }> = [];

  add(c: Candidate): void {
    const { type, value } = c.rule.match.path;
    if (type === 'Exact') {
      let list = this.exact.get(value);
      if (list === undefined) this.exact.set(value, (list = []));
      list.push(c);
    } else if (type === 'PathPrefix') {
      let node = this.prefixRoot;
      for (const segment of segmentsOf(value)) {
        let next = node.children.get(segment);
        if (next === undefined) node.children.set(segment, (next = new PrefixNode()));
        node = next;
      }
      node.candidates.push(c);
    } else {
      this.regex.push({ re: compileRegex(value), candidate: c });
    }
  }

  /**
   * The best candidate of each group (exact, each matching trie node, regex) is the first that accepts, since
   * every list is in IR order; the answer is the lowest-ranked of those, so the IR order is honoured even if
   * it interleaves path kinds differently from the usual Exact > PathPrefix > RegularExpression.
   */
  match(req: RouteRequest, query: QueryView): Candidate | undefined {
    let best: Candidate | undefined;
    const exact = this.exact.get(req.path);
    if (exact !== undefined) best = firstAccepting(exact, req, query, undefined);
    // Walk the trie along the request's path segments, remembering each node; then try deepest first.
    const path = req.path;
    const visited: PrefixNode[] = [this.prefixRoot];
    let node: PrefixNode | undefined = this.prefixRoot;
    let start = 1;
    while (node !== undefined && start <= path.length) {
      let end = path.indexOf('/', start);
      if (end < 0) end = path.length;
      if (end === start) {
        // Empty segment (`//` or a trailing `/`): PathPrefix ignores trailing slashes.
        start = end + 1;
        continue;
      }
      node = node.children.get(path.slice(start, end));
      if (node !== undefined) visited.push(node);
      start = end + 1;
    }
    for (let i = visited.length - 1; i >= 0; i--) {
      const list = visited[i]!.candidates;
      if (list.length === 0) continue;
      const hit = firstAccepting(list, req, query, best);
      if (hit !== undefined) best = hit;
    }
    for (const { re, candidate } of this.regex) {
      if (best !== undefined && candidate.rank > best.rank) break;
      if (re.fullMatch(path) && accepts(candidate, req, query)) {
        best = candidate;
        break;
      }
    }
    return best;
  }
}

/** Lazily parsed query string: most requests are matched without ever looking at it. */
class QueryView {
  private parsed: URLSearchParams | undefined;
  constructor(private readonly raw: string) {}
  get(name: string): string | undefined {
    if (this.raw === '') return undefined;
    this.parsed ??= new URLSearchParams(this.raw);
    return this.parsed.get(name) ?? undefined;
  }
}

/** First accepting candidate of `list` that ranks before `better` (lists are in rank order). */
function firstAccepting(
  list: readonly Candidate[],
  req: RouteRequest,
  query: QueryView,
  better: Candidate | undefined,
): Candidate | undefined {
  for (const c of list) {
    if (better !== undefined && c.rank > better.rank) return undefined;
    if (accepts(c, req, query)) return c;
  }
  return undefined;
}

function accepts(c: Candidate, req: RouteRequest, query: QueryView): boolean {
  if (c.method !== undefined && c.method !== req.method) return false;
  for (const h of c.headers) if (!stringMatches(h, req.header(h.name))) return false;
  for (const q of c.query) if (!stringMatches(q, query.get(q.name))) return false;
  return true;
}

function stringMatches(m: CompiledStringMatch, value: string | undefined): boolean {
  if (value === undefined) return false;
  return m.exact !== undefined ? m.exact === value : m.regex!.fullMatch(value);
}

function compileStringMatch(m: StringMatchIR): CompiledStringMatch {
  return m.type === 'Exact'
    ? { name: m.name, exact: m.value }
    : { name: m.name, regex: compileRegex(m.value) };
}

function segmentsOf(prefix: string): string[] {
  return prefix.split('/').filter((s) => s !== '');
}

export class IndexedRouteMatcher implements RouteMatcher {
  private readonly hosts = new HostTable<HostBucket>();

  constructor(rules: readonly RouteRuleIR[]) {
    for (const [rank, rule] of rules.entries()) {
      const candidate: Candidate = {
        rank,
        rule,
        method: rule.match.method,
        headers: rule.match.headers.map(compileStringMatch),
        query: rule.match.queryParams.map(compileStringMatch),
      };
      if (rule.hostnames.length === 0) this.hosts.upsert(undefined, () => new HostBucket()).add(candidate);
      for (const hostname of new Set(rule.hostnames.map((h) => h.toLowerCase()))) {
        this.hosts.upsert(hostname, () => new HostBucket()).add(candidate);
      }
    }
  }

  match(request: RouteRequest): RouteRuleIR | undefined {
    const query = new QueryView(request.query);
    const first = this.hosts.find(request.host);
    if (first === undefined) return undefined;
    const hit = first.match(request, query);
    if (hit !== undefined) return hit.rule;
    // Less specific hostnames still apply when the most specific bucket has no matching rule.
    const all = this.hosts.findAll(request.host);
    for (let i = 1; i < all.length; i++) {
      const next = all[i]!.match(request, query);
      if (next !== undefined) return next.rule;
    }
    return undefined;
  }
}

/** The reference implementation: the spec read literally. Tests run both; benchmarks compare them. */
export class LinearRouteMatcher implements RouteMatcher {
  private readonly indexed: Array<{ rule: RouteRuleIR; candidate: Candidate; path?: Regex }>;

  constructor(rules: readonly RouteRuleIR[]) {
    this.indexed = rules.map((rule, rank) => ({
      rule,
      candidate: {
        rank,
        rule,
        method: rule.match.method,
        headers: rule.match.headers.map(compileStringMatch),
        query: rule.match.queryParams.map(compileStringMatch),
      },
      ...(rule.match.path.type === 'RegularExpression' ? { path: compileRegex(rule.match.path.value) } : {}),
    }));
  }

  match(request: RouteRequest): RouteRuleIR | undefined {
    const query = new QueryView(request.query);
    let best: { rule: RouteRuleIR; rank: number } | undefined;
    for (const { rule, candidate, path } of this.indexed) {
      const rank = hostRank(rule.hostnames, request.host);
      if (rank < 0 || (best !== undefined && rank <= best.rank)) continue;
      if (!pathMatches(rule, path, request.path) || !accepts(candidate, request, query)) continue;
      best = { rule, rank };
    }
    return best?.rule;
  }
}

/** Specificity of the best hostname of a rule for `host`: higher wins, -1 = no match. */
function hostRank(hostnames: readonly string[], host: string): number {
  if (hostnames.length === 0) return 0;
  let rank = -1;
  for (const h of hostnames) {
    const name = h.toLowerCase();
    if (name === host) return 1_000_000;
    if (name.startsWith('*.') && host.endsWith(name.slice(1)) && host.length > name.length - 1) {
      rank = Math.max(rank, name.length);
    }
  }
  return rank;
}

function pathMatches(rule: RouteRuleIR, regex: Regex | undefined, path: string): boolean {
  const { type, value } = rule.match.path;
  if (type === 'Exact') return path === value;
  if (type === 'RegularExpression') return regex!.fullMatch(path);
  const prefix = value.endsWith('/') ? value.slice(0, -1) : value;
  if (prefix === '') return true;
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47); /* / */
}
