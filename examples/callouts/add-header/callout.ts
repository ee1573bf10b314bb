// Google's `add_header` sample on extgate's SDK: adds a header to the request on its way to the backend and
// a header to the response on its way back to the client.
import { headersReply, runCallout, type Callout } from 'extgate/callout';

export const addHeader: Callout = {
  onRequestHeaders: () => headersReply({ add: { 'header-request': 'request' } }),
  onResponseHeaders: () => headersReply({ add: { 'header-response': 'response' } }),
};

if (import.meta.url === `file://${process.argv[1]}`) await runCallout(addHeader, 'add-header');
