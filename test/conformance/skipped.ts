// Tests of the suite's HTTP profile (conformance/tests/httproute-*.go, gateway-*.go) this port does not run,
// each with why: a feature outside GKE's Gateway classes (extgate stands in for those), a route kind extgate
// does not serve, or a need this process cannot stand in for.
import type { Skipped } from './model.js';

export const SKIPPED: Skipped[] = [];
