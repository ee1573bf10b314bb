// The header list of a headers or trailers message as the data plane holds it: names and latin1 values as
// strings. request-encoder.ts writes each value's bytes straight into the gRPC frame, so forwarding a header
// costs no Buffer of its own (it was one Buffer per value, per message). Whoever else reads `headers`
// (protobufjs, tests, a trace) gets the usual HeaderValue list with `raw_value` bytes, built on first read.

import { headerBytes } from '../header-codec.js';
import type { HeaderMapMessage, HeaderValue } from './messages.js';

export class ForwardedHeaders implements HeaderMapMessage {
  private list: HeaderValue[] | undefined;

  /** `flat`: name, value, name, value...; values are header-codec (latin1) strings. */
  constructor(readonly flat: readonly string[]) {}

  get headers(): HeaderValue[] {
    if (this.list) return this.list;
    const f = this.flat;
    const list: HeaderValue[] = [];
    for (let i = 0; i < f.length; i += 2) list.push({ key: f[i]!, raw_value: headerBytes(f[i + 1]!) });
    return (this.list = list);
  }
}
