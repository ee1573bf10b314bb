// The `env` imports of a Proxy-Wasm module (docs/spec/proxy-wasm.md §4), as GCP's plugin runtime offers them:
// header maps and bodies of the current stream, plugin configuration, local replies, properties, logging and
// time. What GCP does not offer (timers, shared data and queues, HTTP/gRPC calls, custom metrics) answers
// UNIMPLEMENTED instead of crashing the plugin. Mutations over the GKE size limit are refused and recorded
// on the stream, which then fails with `limit`. Header edits go through the rules every extension shares
// (../mutation-rules.ts): a disallowed edit is ignored (Ok), a malformed one fails the stream (`protocol`).
import type { HeaderMap } from '../extension.js';
import { checkHeaderEdit, type EditVerdict, type HeaderBlock, type HeaderEdit } from '../mutation-rules.js';
import { BufferType, deserializePairs, MapType, serializePairs, Status } from './abi.js';
import { headerBytes } from '../header-codec.js';
import type { WasmLimits } from './limits.js';
import { getProperty, propertySegments } from './properties.js';
import type { StreamState } from './stream-state.js';
import type { VmMemory } from './vm-memory.js';
import { ProcExit } from './wasi.js';

export type ImportTable = Record<string, (...args: never[]) => unknown>;

const MEMO_SLOTS = 16;
/** Longer edits are checked every time: the memo must not keep large strings alive. */
const MEMO_MAX_CHARS = 256;

/**
 * The verdicts of the shared mutation rules (a pure function of the edit) on the last few distinct edits: a
 * plugin makes the same edits request after request, and the rules run regular expressions over name and
 * value. Names and values usually come from VmMemory's string cache, so a hit compares the same strings.
 */
class VerdictMemo {
  private readonly slots: Array<
    | {
        op: HeaderEdit;
        block: HeaderBlock;
        name: string;
        value: string;
        verdict: EditVerdict;
      }
    | undefined
  > = new Array(MEMO_SLOTS).fill(undefined);

  check(op: HeaderEdit, name: string, value: string, block: HeaderBlock): EditVerdict {
    const slot = (name.length * 31 + value.length + op.length * 7 + block.length) & (MEMO_SLOTS - 1);
    const m = this.slots[slot];
    if (m !== undefined && m.op === op && m.block === block && m.name === name && m.value === value)
      return m.verdict;
    const verdict = checkHeaderEdit(op, name, value, block);
    if (name.length + value.length <= MEMO_MAX_CHARS) this.slots[slot] = { op, block, name, value, verdict };
    return verdict;
  }
}

/** What the hostcalls need from the VM making the call. */
export interface HostcallHost {
  readonly mem: VmMemory;
  /** The stream the current callback is for; undefined in root-context callbacks. */
  readonly stream: StreamState | undefined;
  readonly config: Uint8Array;
  readonly limits: WasmLimits;
  /** What proxy_get_log_level reports; lines below it are dropped without being decoded. */
  readonly logLevel: number;
  readonly rootContextId: number;
  readonly pluginName: string;
  readonly rootId: string;
  readonly vmId: string;
  log(level: number, message: string): void;
  now(): bigint;
}

const NO_DATA = new Uint8Array(0);

export function proxyHostcalls(vm: HostcallHost): ImportTable {
  const mem = vm.mem;
  function headerMap(type: number, write: boolean): HeaderMap | undefined | null {
    const s = vm.stream;
    if (!s) return null;
    if (type === MapType.RequestHeaders) {
      if (write && s.phase !== 'request_headers') return null;
      return s.requestHeaders ?? null;
    }
    if (type === MapType.ResponseHeaders) {
      if (write && s.phase !== 'response_headers') return null;
      return s.responseHeaders ?? null;
    }
    return null; // trailers: not supported by GCP
  }

  /** `what` names the mutation in the violation; a function when naming it costs (built only on refusal). */
  function checkMutation(size: number, what: string | (() => string)): boolean {
    if (size <= vm.limits.mutationBytes) return true;
    if (vm.stream)
      vm.stream.violation = {
        failure: 'limit',
        message: `${typeof what === 'string' ? what : what()} of ${size} bytes exceeds the ${vm.limits.mutationBytes / 1024} KiB mutation limit`,
      };
    return false;
  }

  const verdicts = new VerdictMemo();
  /** The shared mutation rules for one edit; an error is recorded on the stream (which then fails). */
  function ruled(op: HeaderEdit, type: number, name: string, value: string): 'apply' | 'ignore' | 'error' {
    const block: HeaderBlock = type === MapType.ResponseHeaders ? 'response' : 'request';
    const verdict = verdicts.check(op, name, value, block);
    if (typeof verdict === 'string') return verdict;
    vm.stream!.violation ??= { failure: 'protocol', message: verdict.error };
    return 'error';
  }

  const unimplemented = () => Status.Unimplemented;
  const table: ImportTable = {
    proxy_log: (level: number, ptr: number, len: number) => {
      if (level > 5) return Status.BadArgument;
      if (level < vm.logLevel) return Status.Ok; // below minLogLevel: don't even decode it
      const msg = mem.readString(ptr, len);
      if (msg === undefined) return Status.InvalidMemoryAccess;
      vm.log(level, msg);
      return Status.Ok;
    },
    proxy_get_log_level: (ret: number) =>
      mem.writeU32(ret, vm.logLevel) ? Status.Ok : Status.InvalidMemoryAccess,
    proxy_get_current_time_nanoseconds: (ret: number) => {
      if (!mem.inBounds(ret, 8)) return Status.InvalidMemoryAccess;
      mem.dataView()!.setBigUint64(ret, vm.now(), true);
      return Status.Ok;
    },
    proxy_get_buffer_bytes: (type: number, start: number, max: number, retPtr: number, retSize: number) => {
      let data: Uint8Array | undefined;
      if (type === BufferType.PluginConfiguration) data = vm.config;
      else if (type === BufferType.VmConfiguration) data = NO_DATA;
      else if (
        (type === BufferType.RequestBody && vm.stream?.phase === 'request_body') ||
        (type === BufferType.ResponseBody && vm.stream?.phase === 'response_body')
      ) {
        data = vm.stream.body ?? NO_DATA;
      } else if (type > 8) return Status.BadArgument;
      else return Status.NotFound;
      if (start + max > 0xffffffff) return Status.BadArgument;
      const slice = data.subarray(Math.min(start, data.length), Math.min(start + max, data.length));
      // AssemblyScript SDK 0.1.8 quirk: onConfigure passes the configuration size where the return-size
      // pointer belongs. Writing there would scribble over low memory; its real size slot follows the
      // pointer slot (ArrayBufferReference { buffer, size }).
      if (type === BufferType.PluginConfiguration && retSize === max && max === data.length && max < 1024)
        retSize = retPtr + 4;
      return mem.give(slice, retPtr, retSize);
    },
    proxy_get_buffer_status: (type: number, retSize: number, retFlags: number) => {
      let len: number | undefined;
      if (type === BufferType.PluginConfiguration) len = vm.config.length;
      else if (
        (type === BufferType.RequestBody && vm.stream?.phase === 'request_body') ||
        (type === BufferType.ResponseBody && vm.stream?.phase === 'response_body')
      )
        len = vm.stream.body?.length ?? 0;
      if (len === undefined) return Status.NotFound;
      return mem.writeU32(retSize, len) && mem.writeU32(retFlags, 0) ? Status.Ok : Status.InvalidMemoryAccess;
    },
    proxy_set_buffer_bytes: (type: number, start: number, size: number, ptr: number, len: number) => {
      const s = vm.stream;
      const ok =
        s &&
        ((type === BufferType.RequestBody && s.phase === 'request_body') ||
          (type === BufferType.ResponseBody && s.phase === 'response_body'));
      if (!ok) return type === BufferType.PluginConfiguration ? Status.BadArgument : Status.NotFound;
      const data = mem.read(ptr, len);
      if (!data) return Status.InvalidMemoryAccess;
      const cur = s.body ?? NO_DATA;
      let next: Uint8Array;
      if (start === 0) next = Buffer.concat([data, cur.subarray(Math.min(size, cur.length))]);
      else if (start >= cur.length) next = Buffer.concat([cur, data]);
      else return Status.BadArgument;
      if (!checkMutation(next.length, 'body chunk')) return Status.BadArgument;
      s.body = next;
      s.bodyChanged = true;
      return Status.Ok;
    },
    proxy_get_header_map_pairs: (type: number, retPtr: number, retSize: number) => {
      const h = headerMap(type, false);
      if (!h || h.size === 0) return mem.give(NO_DATA, retPtr, retSize);
      return mem.give(serializePairs(h.entries()), retPtr, retSize);
    },
    proxy_set_header_map_pairs: (type: number, ptr: number, len: number) => {
      const h = headerMap(type, true);
      if (!h) return Status.BadArgument;
      const data = mem.read(ptr, len);
      if (!data) return Status.InvalidMemoryAccess;
      if (!checkMutation(len, 'header map')) return Status.BadArgument;
      const next: Array<[string, string]> = [];
      for (const [k, v] of deserializePairs(data)) {
        const name = k.toLowerCase();
        const verdict = ruled('set', type, name, v);
        if (verdict === 'error') return Status.BadArgument;
        if (verdict === 'apply') next.push([name, v]);
      }
      // Replacing the map is removing what may be removed (pseudo-headers and `host` stay), then adding the
      // new pairs; a pseudo-header or `host` in them replaces the one kept.
      for (const [k] of h.entries()) if (ruled('remove', type, k, '') === 'apply') h.remove(k);
      for (const [k, v] of next) {
        if (k.charCodeAt(0) === 58 || k === 'host') h.set(k, v);
        else h.append(k, v);
      }
      vm.stream!.headersChanged = true;
      return Status.Ok;
    },
    proxy_get_header_map_size: (type: number, ret: number) => {
      const h = headerMap(type, false);
      let size = 0;
      if (h) for (const [k, v] of h.entries()) size += k.length + v.length;
      return mem.writeU32(ret, size) ? Status.Ok : Status.InvalidMemoryAccess;
    },
    proxy_get_header_map_value: (type: number, kp: number, kl: number, retPtr: number, retSize: number) => {
      const h = headerMap(type, false);
      if (!h) return Status.BadArgument;
      const key = mem.readHeaderName(kp, kl);
      if (key === undefined) return Status.InvalidMemoryAccess;
      const v = h.get(key);
      if (v === undefined) return Status.NotFound;
      return mem.give(headerBytes(v), retPtr, retSize);
    },
    proxy_add_header_map_value: (type: number, kp: number, kl: number, vp: number, vl: number) =>
      editHeader(type, kp, kl, vp, vl, 'append'),
    proxy_replace_header_map_value: (type: number, kp: number, kl: number, vp: number, vl: number) =>
      editHeader(type, kp, kl, vp, vl, 'set'),
    proxy_remove_header_map_value: (type: number, kp: number, kl: number) => {
      const h = headerMap(type, true);
      if (!h) return Status.BadArgument;
      const name = mem.readHeaderName(kp, kl);
      if (name === undefined) return Status.InvalidMemoryAccess;
      const verdict = ruled('remove', type, name, '');
      if (verdict === 'error') return Status.BadArgument;
      if (verdict === 'apply' && h.has(name)) {
        h.remove(name);
        vm.stream!.headersChanged = true;
      }
      return Status.Ok;
    },
    proxy_get_property: (pp: number, pl: number, retPtr: number, retSize: number) => {
      const path = mem.readString(pp, pl);
      if (path === undefined) return Status.InvalidMemoryAccess;
      const s = vm.stream;
      const value = s?.onlyListedProperties
        ? s.propertyOverrides?.get(propertySegments(path).join('.'))
        : getProperty(
            {
              pluginName: vm.pluginName,
              rootId: vm.rootId,
              vmId: vm.vmId,
              request: s?.request,
              requestHeaders: s?.requestHeaders,
              responseHeaders: s?.responseHeaders,
              startNs: s?.startNs ?? vm.now(),
              setByPlugin: s?.setProperties,
              overrides: s?.propertyOverrides,
            },
            propertySegments(path),
          );
      if (value === undefined) return Status.NotFound;
      return mem.give(value, retPtr, retSize);
    },
    proxy_set_property: (pp: number, pl: number, vp: number, vl: number) => {
      const s = vm.stream;
      if (!s) return Status.NotFound;
      const path = mem.readString(pp, pl);
      const value = mem.read(vp, vl);
      if (path === undefined || !value) return Status.InvalidMemoryAccess;
      s.setProperties.set(propertySegments(path).join('.'), value);
      return Status.Ok;
    },
    proxy_send_local_response: (
      status: number,
      dp: number,
      dl: number,
      bp: number,
      bl: number,
      hp: number,
      hl: number,
      grpc: number,
    ) => {
      const s = vm.stream;
      if (!s) return Status.BadArgument;
      const details = mem.readString(dp, dl);
      const body = mem.read(bp, bl);
      const hdrs = mem.read(hp, hl);
      if (details === undefined || !body || !hdrs) return Status.InvalidMemoryAccess;
      if (!checkMutation(bl, 'local response body')) return Status.BadArgument;
      const headers: Array<[string, string]> = [];
      for (const [k, v] of deserializePairs(hdrs)) {
        const name = k.toLowerCase();
        const verdict = ruled('append', MapType.ResponseHeaders, name, v);
        if (verdict === 'error') return Status.BadArgument;
        // The proxy frames the local reply from its body: a `content-length` here is ignored like any edit.
        if (verdict === 'apply') headers.push([name, v]);
      }
      if (grpc >= 0 && grpc <= 16) headers.push(['grpc-status', String(grpc)]);
      s.local = { status, headers, body, details: `send_local_response${details ? `: ${details}` : ''}` };
      return Status.Ok;
    },
    proxy_continue_stream: (type: number) => (type > 3 ? Status.BadArgument : Status.Ok),
    proxy_close_stream: (type: number) => {
      if (type > 3) return Status.BadArgument;
      if (vm.stream) vm.stream.resetRequested = true;
      return Status.Ok;
    },
    proxy_set_effective_context: (id: number) =>
      id === vm.rootContextId || (vm.stream && id === vm.stream.contextId) ? Status.Ok : Status.BadArgument,
    proxy_done: () => Status.NotFound,
    proxy_call_foreign_function: () => Status.NotFound,
    proxy_get_status: unimplemented,
    // Not offered by GCP's plugin runtime (docs/spec/gke-service-extensions.md §4.3): an error status, never a crash.
    proxy_set_tick_period_milliseconds: unimplemented,
    proxy_http_call: unimplemented,
    proxy_grpc_call: unimplemented,
    proxy_grpc_stream: unimplemented,
    proxy_grpc_send: unimplemented,
    proxy_grpc_cancel: unimplemented,
    proxy_grpc_close: unimplemented,
    proxy_get_shared_data: unimplemented,
    proxy_set_shared_data: unimplemented,
    proxy_register_shared_queue: unimplemented,
    proxy_resolve_shared_queue: unimplemented,
    proxy_enqueue_shared_queue: unimplemented,
    proxy_dequeue_shared_queue: unimplemented,
    proxy_define_metric: unimplemented,
    proxy_increment_metric: unimplemented,
    proxy_record_metric: unimplemented,
    proxy_get_metric: unimplemented,
    // ABI 0.1.0 leftovers some SDKs still declare.
    proxy_clear_route_cache: unimplemented,
    proxy_continue_request: () => Status.Ok,
    proxy_continue_response: () => Status.Ok,
    proxy_get_configuration: (retPtr: number, retSize: number) => mem.give(vm.config, retPtr, retSize),
    emscripten_notify_memory_growth: () => undefined,
    pthread_equal: (a: number, b: number) => (a === b ? 1 : 0),
    // AssemblyScript modules built without `--use abort=...`.
    abort: () => {
      throw new ProcExit(255);
    },
    trace: () => undefined,
    seed: () => Math.random() * 2 ** 52,
  };
  function editHeader(
    type: number,
    kp: number,
    kl: number,
    vp: number,
    vl: number,
    edit: 'set' | 'append',
  ): Status {
    const h = headerMap(type, true);
    if (!h) return Status.BadArgument;
    const name = mem.readHeaderName(kp, kl);
    const value = mem.readHeader(vp, vl);
    if (name === undefined || value === undefined) return Status.InvalidMemoryAccess;
    if (!checkMutation(kl + vl, () => `header ${mem.readHeader(kp, kl)}`)) return Status.BadArgument;
    // Envoy's checker: appending to a header that is not there is setting it.
    const verdict = ruled(edit === 'append' && h.has(name) ? 'append' : 'set', type, name, value);
    if (verdict === 'error') return Status.BadArgument;
    if (verdict === 'ignore') return Status.Ok;
    if (edit === 'append') h.append(name, value);
    else h.set(name, value);
    vm.stream!.headersChanged = true;
    return Status.Ok;
  }

  return table;
}
