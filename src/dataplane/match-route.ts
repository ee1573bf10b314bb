// Route matching as the pipeline's route selection and the routing chain step both need it (the rule the
// request matches now), in its own module so the two step modules do not import each other.

import type { RouteRuleIR } from '../ir/snapshot.js';
import type { CompiledRule } from './compiled-port.js';
import type { RequestContext } from './request-context.js';
import { describeRouteMatch } from './trace.js';

/** The rule the request matches now (as the extensions left it once one cleared the route cache). */
export function matchRoute(x: RequestContext): CompiledRule | undefined {
  const ir: RouteRuleIR | undefined = x.listener.matcher.match(x);
  const rule = ir === undefined ? undefined : x.listener.rules.get(ir);
  if (x.trace.recording)
    x.trace.route(ir?.id ?? null, ir ? describeRouteMatch(ir) : 'no rule matches host, path and headers');
  return rule;
}
