// local-reply: answers every request itself with `200 Hello World`, so the backend is never called.
// The seed's GCPWasmPlugin walkthrough expects exactly this body.
export * from '../../lib/proxy-exports';
import {
  RootContext,
  Context,
  registerRootContext,
  FilterHeadersStatusValues,
  GrpcStatusValues,
  send_local_response,
  Headers,
  HeaderPair,
  log,
  LogLevelValues,
} from '@solo-io/proxy-runtime';
// The SDK's Context, minus its per-request debug strings (lib/http-context.ts).
import { HttpContext } from '../../lib/http-context';

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
    const headers: Headers = [];
    headers.push(new HeaderPair(String.UTF8.encode('content-type'), String.UTF8.encode('text/plain')));
    log(LogLevelValues.info, 'local-reply: answering Hello World');
    send_local_response(
      200,
      'local_reply',
      String.UTF8.encode('Hello World'),
      headers,
      GrpcStatusValues.InvalidCode,
    );
    return FilterHeadersStatusValues.StopIteration;
  }
}

// Root id "": the id extgate (and proxy-wasm hosts without a configured root_id) report as plugin_root_id.
registerRootContext((context_id: u32) => {
  return new LocalReplyRoot(context_id);
}, '');
