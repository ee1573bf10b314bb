// An in-process ExtensionStream that passes every event on unchanged and answers through promises, as a callout
// client does (no `headersNow`): what the benches' and tests' in-process chain members spread and override.
import type { ExtensionStream } from '../../src/extensions/extension.js';

export function passThroughStream(): ExtensionStream {
  return {
    requestHeaders: () => Promise.resolve({}),
    requestBody: (chunk) => Promise.resolve({ chunks: [chunk] }),
    requestTrailers: () => Promise.resolve({}),
    responseHeaders: () => Promise.resolve({}),
    responseBody: (chunk) => Promise.resolve({ chunks: [chunk] }),
    responseTrailers: () => Promise.resolve({}),
    close: () => {},
  };
}
