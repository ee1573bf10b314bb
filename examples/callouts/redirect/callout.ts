// Google's `redirect` sample on extgate's SDK: answers every request itself with a 301 to a fixed location;
// the request never reaches a backend.
import { redirectReply, runCallout, type Callout } from 'extgate/callout';

export const REDIRECT_LOCATION = process.env.REDIRECT_LOCATION ?? 'http://service-extensions.com/redirect';

export const redirect: Callout = {
  onRequestHeaders: () => redirectReply(REDIRECT_LOCATION, 301),
};

if (import.meta.url === `file://${process.argv[1]}`) await runCallout(redirect, 'redirect');
