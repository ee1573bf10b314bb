// RSS of the gateway process idle, and with N idle keep-alive client connections (each has made one request).
import net from 'node:net';
import { rssMiB } from './procs.js';

export interface MemoryResult {
  readonly idleMiB: number;
  readonly connections: number;
  readonly withConnectionsMiB: number;
  readonly kibPerConnection: number;
}

export async function memoryBench(
  port: number,
  pid: number,
  connections: number,
  host: string,
): Promise<MemoryResult> {
  await new Promise((r) => setTimeout(r, 1_000));
  const idleMiB = rssMiB(pid);
  const sockets: net.Socket[] = [];
  const request = `GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
  const batch = 500;
  for (let i = 0; i < connections; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, connections - i) }, () => {
        return new Promise<void>((resolve, reject) => {
          const s = net.connect(port, '127.0.0.1', () => s.write(request));
          s.once('data', () => resolve());
          s.once('error', reject);
          sockets.push(s);
        });
      }),
    );
  }
  await new Promise((r) => setTimeout(r, 2_000));
  const withConnectionsMiB = rssMiB(pid);
  for (const s of sockets) s.destroy();
  return {
    idleMiB,
    connections,
    withConnectionsMiB,
    kibPerConnection: ((withConnectionsMiB - idleMiB) * 1024) / connections,
  };
}
