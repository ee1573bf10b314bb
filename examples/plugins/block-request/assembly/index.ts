// block-request: refuses requests a plain header check can recognise, before they reach the backend.
// Blocked (403 `Access denied`): a path under `/admin`, or a `user-agent` containing the configured
// word (default `badbot`). Every decision is logged at INFO with the request's path.
export * from '../../lib/proxy-exports';
import {
  RootContext,
  Context,
  registerRootContext,
  FilterHeadersStatusValues,
  GrpcStatusValues,
  send_local_response,
  Headers,
  log,
  LogLevelValues,
} from '@solo-io/proxy-runtime';
// The SDK's Context and stream_context, minus the per-request allocations and debug strings (lib/*.ts).
import { HttpContext } from '../../lib/http-context';
import { stream_context } from '../../lib/stream-context';

class BlockRoot extends RootContext {
  badWord: string = 'badbot';

  // Read the configuration once (see add-header for why not per request).
  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    const configured = this.getConfiguration().trim();
    if (configured != '') {
      this.badWord = configured.toLowerCase();
    }
    return true;
  }

  createContext(context_id: u32): Context {
    return new Block(context_id, this);
  }
}

class Block extends HttpContext {
  private root: BlockRoot;
  constructor(context_id: u32, root_context: BlockRoot) {
    super(context_id, root_context);
    this.root = root_context;
  }

  onRequestHeaders(_headers: u32, _end_of_stream: bool): FilterHeadersStatusValues {
    const path = stream_context.headers.request.get(':path');
    const agent = stream_context.headers.request.get('user-agent').toLowerCase();
    const badWord = this.root.badWord;
    if (path == '/admin' || path.startsWith('/admin/') || (agent != '' && agent.includes(badWord))) {
      log(LogLevelValues.info, 'blocked ' + path);
      const headers: Headers = [];
      send_local_response(
        403,
        'blocked_by_plugin',
        String.UTF8.encode('Access denied'),
        headers,
        GrpcStatusValues.PermissionDenied,
      );
      return FilterHeadersStatusValues.StopIteration;
    }
    log(LogLevelValues.info, 'allowed ' + path);
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => {
  return new BlockRoot(context_id);
}, '');
