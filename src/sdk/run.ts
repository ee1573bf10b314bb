// Entry point for a callout's own process: ports from the environment, graceful stop on SIGTERM/SIGINT.

import { readFileSync } from 'node:fs';
import { CalloutServer, type Callout, type CalloutPorts } from './server.js';

function port(name: string, fallback: number): number | null {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  if (v === 'off') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${name}=${v}: expected a port number or "off"`);
  return n;
}

/**
 * Starts `callout` with ports from CALLOUT_PLAINTEXT_PORT (8080), CALLOUT_SECURE_PORT (443), CALLOUT_HEALTH_PORT
 * (80) — each may be `off` — and the TLS pair from CALLOUT_CERT_FILE / CALLOUT_KEY_FILE (self-signed if unset).
 */
export async function runCallout(callout: Callout, name = 'callout'): Promise<CalloutPorts> {
  const cert = process.env.CALLOUT_CERT_FILE;
  const key = process.env.CALLOUT_KEY_FILE;
  const server = new CalloutServer(callout, {
    address: process.env.CALLOUT_ADDRESS ?? '0.0.0.0',
    plaintextPort: port('CALLOUT_PLAINTEXT_PORT', 8080),
    securePort: port('CALLOUT_SECURE_PORT', 443),
    healthPort: port('CALLOUT_HEALTH_PORT', 80),
    ...(cert && key ? { certChain: readFileSync(cert), privateKey: readFileSync(key) } : {}),
  });
  const ports = await server.start();
  console.log(
    `${name}: plaintext ${ports.plaintext ?? 'off'}, tls ${ports.secure ?? 'off'}, health ${ports.health ?? 'off'}`,
  );
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return ports;
}
