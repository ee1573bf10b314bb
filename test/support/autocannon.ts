// autocannon (load generator, CommonJS, no bundled types) with the part of its result the tests read.
import { createRequire } from 'node:module';

export interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  resets?: number;
  requests: { total: number };
  '2xx': number;
}

export type Autocannon = (
  opts: Record<string, unknown>,
) => Promise<AutocannonResult> & { on(ev: string, fn: (...a: unknown[]) => void): void };

export const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
