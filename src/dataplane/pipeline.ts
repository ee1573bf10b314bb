// The one ordered list of steps a request goes through, owned here and nowhere else:
//
//   request:  listener → routing chain → route selection → route filters → traffic chain (request) → upstream
//   response: upstream → route filters (response) → traffic chain (response, members reversed) → downstream
//
// Every step reads and writes the one request context (RequestContext in request-context.ts, which the
// Exchange implements: request line, the one header list,
// route, backend, trace). A step returns true to go on, false when it answered the request itself (a
// redirect, no route, an extension's immediate response, a failure), or a promise of either (extension steps
// wait for callouts). The no-extension path is all synchronous: the runner pays a loop and nothing more.
//
// On the response side the steps are handlers in undici's style: the Exchange is the upstream's handler, it
// applies the route's response filters and passes each event to `x.responseHandler` — the traffic chain's
// handler when one takes response events (it wraps the downstream, the next handler), else the downstream.
// Route filters on the request side follow Envoy's router: the rule's header modifiers and URL rewrite are
// applied to the request as it goes upstream, after the traffic chain (extensions neither see nor undo them).

import type { RequestContext, StepOutcome } from './request-context.js';
import { matchRoute } from './match-route.js';
import { extensionFailed, routingChainStep, trafficRequestStep } from './extension-flow.js';
import { REPLIES } from './replies.js';
import { describeRouteMatch } from './trace.js';

export interface PipelineStep {
  readonly name: string;
  run(x: RequestContext): StepOutcome;
}

/** The request path, in order. */
export const REQUEST_PIPELINE: readonly PipelineStep[] = [
  { name: 'listener', run: (x) => x.selectListener() },
  { name: 'routing chain', run: routingChainStep },
  { name: 'route selection', run: selectRouteStep },
  { name: 'route filters', run: routeFiltersStep },
  { name: 'traffic chain (request)', run: trafficRequestStep },
  { name: 'upstream', run: upstreamStep },
];

/** Runs the request steps from `from` on; an async step resumes the rest when it settles. */
export function runRequestPipeline(x: RequestContext, from = 0): void {
  for (let i = from; i < REQUEST_PIPELINE.length; i++) {
    let outcome: StepOutcome;
    try {
      outcome = REQUEST_PIPELINE[i]!.run(x);
    } catch (err) {
      return stepThrew(x, err);
    }
    if (outcome === true) continue;
    if (outcome === false) return;
    outcome.then(
      (go) => {
        if (go && !x.isFinished) runRequestPipeline(x, i + 1);
      },
      (err: unknown) => extensionFailed(x, err),
    );
    return;
  }
}

/**
 * A step threw instead of answering: a bug, or input nothing anticipated (an extension factory whose open()
 * throws, a header the head writer refuses by exception). The client gets a 500 (a reset once the response
 * began) rather than no answer, and the worker keeps serving.
 */
function stepThrew(x: RequestContext, err: unknown): void {
  if (x.isFinished) return;
  if (x.res.headersSent) return x.reset(err instanceof Error ? err : new Error(String(err)));
  x.reply(REPLIES.internalError);
}

/**
 * Route selection. After a routing extension rewrote the request and cleared the route cache, a request that
 * matches no rule keeps the route it matched as the client sent it (as on GKE, where the callout of the seed (docs/spec/README.md)
 * rewrites Host to service-extensions.com, a host no route names, and the store app still answers).
 */
function selectRouteStep(x: RequestContext): boolean {
  const matched = matchRoute(x);
  const rule = matched ?? x.routeBeforeExtensions;
  if (rule === undefined) {
    x.reply(REPLIES.noRoute);
    return false;
  }
  if (matched === undefined && x.trace.recording) {
    x.trace.route(
      rule.ir.id,
      `${describeRouteMatch(rule.ir)} (chosen before the routing extension; the rewritten request matches no rule)`,
    );
  }
  x.rule = rule;
  // Whatever the route, the request goes upstream as the extensions left it.
  x.adoptRequestLine();
  return true;
}

/** The rule's own answer (redirect) or its backend; an invalid or missing backend is answered here. */
function routeFiltersStep(x: RequestContext): boolean {
  return x.prepare(x.rule!);
}

/** Builds the upstream request (header modifiers, rewrite, timeouts, mirrors) and sends it. */
function upstreamStep(x: RequestContext): boolean {
  if (!x.buildUpstreamHeaders()) return false;
  x.applyFilters();
  x.forward();
  return false;
}
