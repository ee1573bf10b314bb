// WASI preview1 as cpp-host provides it to proxy-wasm modules (docs/spec/proxy-wasm.md §8): stdout/stderr become
// plugin logs, clocks and randomness work, everything touching files or sockets answers a fixed errno.
// Registered under both `wasi_snapshot_preview1` and `wasi_unstable` (AssemblyScript uses the old name).
import { randomFillSync } from 'node:crypto';

const SUCCESS = 0;
const BADF = 8;
const INVAL = 28;
const NOENT = 44;
const NOSYS = 52;
const NOTDIR = 20;
const NOTSUP = 58;

/** Thrown by `proc_exit`: the module asked to stop (SDKs do this on abort/panic). The VM is then failed. */
export class ProcExit extends Error {
  override name = 'ProcExit';
  constructor(readonly code: number) {
    super(`plugin called proc_exit(${code})`);
  }
}

export interface WasiHost {
  memoryView(): DataView | undefined;
  memoryBytes(): Uint8Array | undefined;
  /** fd 1 → INFO (2), fd 2 → ERROR (4). */
  log(level: number, message: string): void;
  /** Nanoseconds; frozen per stream for both clocks, as GCP does. */
  now(clock: number): bigint;
}

export function wasiImports(host: WasiHost): Record<string, (...args: never[]) => unknown> {
  const fdWrite = (fd: number, iovs: number, iovsLen: number, retWritten: number): number => {
    const view = host.memoryView();
    const bytes = host.memoryBytes();
    if (!view || !bytes) return INVAL;
    if (fd !== 1 && fd !== 2) return BADF;
    let total = 0;
    const parts: Buffer[] = [];
    for (let i = 0; i < iovsLen; i++) {
      const ptr = view.getUint32(iovs + i * 8, true);
      const len = view.getUint32(iovs + i * 8 + 4, true);
      parts.push(Buffer.from(bytes.subarray(ptr, ptr + len)));
      total += len;
    }
    let text = Buffer.concat(parts).toString('utf8');
    if (text.endsWith('\n')) text = text.slice(0, -1);
    host.log(fd === 1 ? 2 : 4, text);
    view.setUint32(retWritten, total, true);
    return SUCCESS;
  };
  const writeZeros = (...ptrs: number[]): number => {
    const view = host.memoryView();
    if (view) for (const p of ptrs) view.setUint32(p, 0, true);
    return SUCCESS;
  };
  const std = (fd: number): number => (fd === 1 || fd === 2 ? SUCCESS : BADF);
  return {
    fd_write: fdWrite,
    fd_pwrite: (fd: number, iovs: number, n: number, _off: bigint, ret: number) => fdWrite(fd, iovs, n, ret),
    fd_read: () => NOSYS,
    fd_pread: () => NOSYS,
    fd_seek: () => SUCCESS,
    fd_close: () => SUCCESS,
    fd_tell: (fd: number, ret: number) => {
      const view = host.memoryView();
      if (std(fd) !== SUCCESS || !view) return BADF;
      view.setBigUint64(ret, 0n, true);
      return SUCCESS;
    },
    fd_fdstat_get: (fd: number, ret: number) => {
      const view = host.memoryView();
      if (std(fd) !== SUCCESS || !view) return BADF;
      for (let i = 0; i < 24; i += 4) view.setUint32(ret + i, 0, true);
      view.setBigUint64(ret + 8, 64n, true); // rights_base = FD_WRITE
      return SUCCESS;
    },
    fd_fdstat_set_flags: () => NOSYS,
    fd_fdstat_set_rights: std,
    // No pre-opened directories; Go's runtime loops forever unless fd 3 answers EBADF.
    fd_prestat_get: () => BADF,
    fd_prestat_dir_name: () => NOSYS,
    fd_filestat_get: () => BADF,
    fd_filestat_set_size: std,
    fd_filestat_set_times: std,
    fd_advise: std,
    fd_allocate: std,
    fd_datasync: std,
    fd_sync: std,
    fd_readdir: () => NOTDIR,
    fd_renumber: () => BADF,
    path_open: () => NOENT,
    path_create_directory: () => NOTSUP,
    path_filestat_get: () => NOTSUP,
    path_filestat_set_times: () => NOTSUP,
    path_link: () => NOTSUP,
    path_readlink: () => NOTSUP,
    path_remove_directory: () => NOTSUP,
    path_rename: () => NOTSUP,
    path_symlink: () => NOTSUP,
    path_unlink_file: () => NOTSUP,
    sock_accept: () => NOTSUP,
    sock_recv: () => NOTSUP,
    sock_send: () => NOTSUP,
    sock_shutdown: () => NOTSUP,
    environ_sizes_get: (count: number, size: number) => writeZeros(count, size),
    environ_get: () => SUCCESS,
    args_sizes_get: (count: number, size: number) => writeZeros(count, size),
    args_get: () => SUCCESS,
    clock_time_get: (id: number, _precision: bigint, ret: number) => {
      const view = host.memoryView();
      if (!view) return INVAL;
      if (id !== 0 && id !== 1) return NOTSUP;
      view.setBigUint64(ret, host.now(id), true);
      return SUCCESS;
    },
    clock_res_get: (id: number, ret: number) => {
      const view = host.memoryView();
      if (!view) return INVAL;
      if (id !== 0 && id !== 1) return NOTSUP;
      view.setBigUint64(ret, 1n, true);
      return SUCCESS;
    },
    random_get: (ptr: number, len: number) => {
      const bytes = host.memoryBytes();
      if (!bytes) return INVAL;
      if (len > 65536) return INVAL;
      if (len > 0) randomFillSync(bytes, ptr, len);
      return SUCCESS;
    },
    sched_yield: () => SUCCESS,
    poll_oneoff: (_in: number, _out: number, _n: number, ret: number) => writeZeros(ret),
    proc_exit: (code: number) => {
      throw new ProcExit(code);
    },
  };
}
