// undici 8 removed the legacy handler callbacks (onConnect/onHeaders/onData/onComplete/onError) that the rest
// of the data plane speaks (UpstreamHandler, shared with our HTTP/1.1 and h2c clients); it only calls the
// controller-based DispatchHandler. This adapter is the one place that translates, so the proxy's hot path
// and the other two clients keep the flat, buffer-level callbacks.

import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { UpstreamHandler } from './dispatcher.js';

type Headers = Dispatcher.DispatchController['rawHeaders'];

/**
 * Flat [name, value, name, value, ...] as the legacy callbacks gave it. undici keeps the raw list on the
 * controller (HTTP/1.1: the bytes as received, names in their case and order); HTTP/2 only has the parsed
 * object, which is flattened.
 */
function rawList(
  raw: Headers,
  parsed: Record<string, string | string[] | undefined>,
): Array<Buffer | string> {
  if (Array.isArray(raw)) return raw;
  const out: string[] = [];
  for (const name in parsed) {
    const value = parsed[name];
    if (Array.isArray(value)) for (const v of value) out.push(name, v);
    else if (value !== undefined) out.push(name, value);
  }
  return out;
}

export class UndiciHandlerAdapter implements Dispatcher.DispatchHandler {
  constructor(private readonly handler: UpstreamHandler) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.handler.onConnect((reason) => controller.abort(reason ?? new Error('aborted')));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusMessage?: string,
  ): void {
    const resume = (): void => controller.resume();
    if (
      !this.handler.onHeaders(
        statusCode,
        rawList(controller.rawHeaders, headers),
        resume,
        statusMessage ?? '',
      )
    )
      controller.pause();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.handler.onData(chunk)) controller.pause();
  }

  onResponseEnd(
    controller: Dispatcher.DispatchController,
    trailers: Record<string, string | string[] | undefined>,
  ): void {
    this.handler.onComplete(rawList(controller.rawTrailers, trailers));
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.handler.onError(error);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    socket: Duplex,
  ): void {
    this.handler.onUpgrade?.(statusCode, rawList(controller.rawHeaders, headers), socket);
  }
}
