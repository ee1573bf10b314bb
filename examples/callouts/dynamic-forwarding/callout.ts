// Google's `dynamic_forwarding` sample on extgate's SDK: a routing callout that picks the backend endpoint
// for each request from the `ip-to-return` header, falling back to a default endpoint.
import { headersReply, runCallout, withDynamicForwarding, type Callout } from 'extgate/callout';

/** Used when the request names no endpoint (Google's sample has a fixed default too). */
export const DEFAULT_ENDPOINT = process.env.DEFAULT_ENDPOINT ?? '10.1.10.3:80';

const IP_PORT = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):\d{1,5}$/;

export const dynamicForwarding: Callout = {
  onRequestHeaders(headers) {
    const asked = headers.get('ip-to-return');
    const endpoint = asked && IP_PORT.test(asked) ? asked : DEFAULT_ENDPOINT;
    return withDynamicForwarding(headersReply(), endpoint);
  },
};

if (import.meta.url === `file://${process.argv[1]}`)
  await runCallout(dynamicForwarding, 'dynamic-forwarding');
