// The hostile registry of test/security in a process of its own, so its sending does not load the event loop
// bench/security-limits.ts measures. Prints `host 127.0.0.1:PORT` when ready; stops on SIGTERM.
import { startHostileRegistry } from '../test/security/hostile-registry.js';

const registry = await startHostileRegistry();
process.stdout.write(`host ${registry.host}\n`);
process.on('SIGTERM', () => void registry.close().then(() => process.exit(0)));
