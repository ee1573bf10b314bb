// add-header: tags the request on its way to the backend and the response on its way back.
// Request:  `x-plugin: add-header` replaces whatever the client sent (clients cannot spoof it).
// Response: `hello: <plugin configuration>`, or `hello: world` when the plugin has no configuration.
export * from '../../lib/proxy-exports';
import { RootContext, Context, registerRootContext, FilterHeadersStatusValues } from '@solo-io/proxy-runtime';
// The SDK's Context and stream_context, minus the per-request allocations and debug strings (lib/*.ts).
import { HttpContext } from '../../lib/http-context';
import { stream_context } from '../../lib/stream-context';

class AddHeaderRoot extends RootContext {
  hello: string = 'world';

  // Read the configuration once, here; reading it per request through a conditional expression trips an
  // AssemblyScript 0.17 reference-counting bug (the string is released after the first request).
  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    const configured = this.getConfiguration();
    if (configured != '') {
      this.hello = configured;
    }
    return true;
  }

  createContext(context_id: u32): Context {
    return new AddHeader(context_id, this);
  }
}

class AddHeader extends HttpContext {
  private root: AddHeaderRoot;
  constructor(context_id: u32, root_context: AddHeaderRoot) {
    super(context_id, root_context);
    this.root = root_context;
  }

  onRequestHeaders(_headers: u32, _end_of_stream: bool): FilterHeadersStatusValues {
    stream_context.headers.request.replace('x-plugin', 'add-header');
    return FilterHeadersStatusValues.Continue;
  }

  onResponseHeaders(_headers: u32, _end_of_stream: bool): FilterHeadersStatusValues {
    stream_context.headers.response.add('hello', this.root.hello);
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => {
  return new AddHeaderRoot(context_id);
}, '');
