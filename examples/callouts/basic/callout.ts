// The `basic` callout of Google's service-extensions samples, on extgate's SDK: the image the seed deploys.
//   request headers: :authority → service-extensions.com, :path → /, add header-request, remove foo,
//                    clear the route cache (so a routing extension re-selects the route)
//   response headers: add hello: service-extensions
//   request body: replaced by "replaced-body";  response body: cleared
import { bodyReply, headersReply, runCallout, type Callout } from 'extgate/callout';

export const basic: Callout = {
  onRequestHeaders: () =>
    headersReply({
      set: { ':authority': 'service-extensions.com', ':path': '/' },
      add: { 'header-request': 'request' },
      remove: ['foo'],
      clearRouteCache: true,
    }),
  onResponseHeaders: () => headersReply({ add: { hello: 'service-extensions' } }),
  onRequestBody: () => bodyReply({ body: 'replaced-body' }),
  onResponseBody: () => bodyReply({ clear: true }),
};

if (import.meta.url === `file://${process.argv[1]}`) await runCallout(basic, 'basic');
