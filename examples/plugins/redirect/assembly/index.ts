// redirect: moves a path prefix permanently. A request for `/old/<rest>` is answered
// `301 Moved Permanently` with `location: /new/<rest>` (query kept); every other request passes.
// The plugin configuration may override the pair as `FROM_PREFIX TO_PREFIX` (e.g. `/v1/ /v2/`).
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
} from '@solo-io/proxy-runtime';
// The SDK's Context and stream_context, minus the per-request allocations and debug strings (lib/*.ts).
import { HttpContext } from '../../lib/http-context';
import { stream_context } from '../../lib/stream-context';

class RedirectRoot extends RootContext {
  from: string = '/old/';
  to: string = '/new/';

  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    const parts = this.getConfiguration().trim().split(' ');
    if (parts.length == 2 && parts[0].startsWith('/') && parts[1].startsWith('/')) {
      this.from = parts[0];
      this.to = parts[1];
    }
    return true;
  }

  createContext(context_id: u32): Context {
    return new Redirect(context_id, this);
  }
}

class Redirect extends HttpContext {
  private root: RedirectRoot;
  constructor(context_id: u32, root_context: RedirectRoot) {
    super(context_id, root_context);
    this.root = root_context;
  }

  onRequestHeaders(_headers: u32, _end_of_stream: bool): FilterHeadersStatusValues {
    const path = stream_context.headers.request.get(':path');
    if (!path.startsWith(this.root.from)) {
      return FilterHeadersStatusValues.Continue;
    }
    const location = this.root.to + path.substring(this.root.from.length);
    const headers: Headers = [];
    headers.push(new HeaderPair(String.UTF8.encode('location'), String.UTF8.encode(location)));
    send_local_response(
      301,
      'redirect',
      String.UTF8.encode('Moved Permanently'),
      headers,
      GrpcStatusValues.InvalidCode,
    );
    return FilterHeadersStatusValues.StopIteration;
  }
}

registerRootContext((context_id: u32) => {
  return new RedirectRoot(context_id);
}, '');
