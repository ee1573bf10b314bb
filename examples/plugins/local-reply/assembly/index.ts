// local-reply: answers every request itself with `200 Hello World`, so the backend is never called.
// The seed's GCPWasmPlugin walkthrough expects exactly this body.
export * from '../../lib/proxy-exports';
import {
  RootContext,
  Context,
  registerRootContext,
  FilterHeadersStatusValues,
  LogLevelValues,
} from '@solo-io/proxy-runtime';
// The SDK's Context, minus its per-request debug strings (lib/http-context.ts).
import { HttpContext } from '../../lib/http-context';
// The SDK's send_local_response and log with their bytes encoded once, not on every request (~71k fuel per
// request with the SDK's, ~14k with these: lib/local-response.ts, lib/log-line.ts).
import { LocalResponse } from '../../lib/local-response';
import { LogLine } from '../../lib/log-line';

const HELLO = new LocalResponse(200, 'local_reply', 'Hello World').header('content-type', 'text/plain');
const ANSWERING = new LogLine(LogLevelValues.info, 'local-reply: answering Hello World');

class LocalReplyRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new LocalReply(context_id, this);
  }
}

class LocalReply extends HttpContext {
  constructor(context_id: u32, root_context: LocalReplyRoot) {
    super(context_id, root_context);
  }

  onRequestHeaders(_headers: u32, _end_of_stream: bool): FilterHeadersStatusValues {
    ANSWERING.send();
    HELLO.send();
    return FilterHeadersStatusValues.StopIteration;
  }
}

// Root id "": the id extgate (and proxy-wasm hosts without a configured root_id) report as plugin_root_id.
registerRootContext((context_id: u32) => {
  return new LocalReplyRoot(context_id);
}, '');
