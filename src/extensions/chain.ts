// ExtensionChain: the chains of one listener, compiled once per snapshot.
//
// Semantics (docs/spec/gke-service-extensions.md §1.4, §2.2, §2.5): chains are tried in order and only the first whose
// match condition holds runs; its extensions run in order on the request path and in reverse on the response
// path; each sees the mutations of the ones before it. An extension that fails with `failOpen: true` is
// skipped for the rest of the request (later extensions still run); with `failOpen: false` its
// ExtensionError propagates and the data plane answers 500/404 (or resets the stream once the response began).

import type {
  CalloutExtensionIR,
  ExtensionChainIR,
  ExtensionIR,
  HttpEvent,
  Snapshot,
  WasmExtensionIR,
  WasmPluginIR,
} from '../ir/snapshot.js';
import type { CalloutClient } from './callout/client.js';
import { compileMatchCondition, type MatchCondition } from './cel/match.js';
import {
  ExtensionError,
  type BodyStepResult,
  type CompiledChains,
  type Direction,
  type Extension,
  type ExtensionStream,
  type HeaderMap,
  type RequestInfo,
  type StepEffect,
  type StepResult,
  type TrailersStepResult,
} from './extension.js';

/** Creates the Extension for each ExtensionIR of a snapshot. */
export interface ExtensionFactory {
  /** `chain`: the chain the extension belongs to (its kind, routing or traffic, is `chain.resourceKind`). */
  callout(ir: CalloutExtensionIR, chain: ExtensionChainIR): Extension;
  /** Filled in by the Proxy-Wasm runtime; without it a Wasm extension fails every request it sees. */
  wasm?(ir: WasmExtensionIR, chain: ExtensionChainIR): Extension;
}

export interface CompiledChainSet extends CompiledChains {
  /** Chains that can never run, with why (an expression admission should have refused). */
  readonly problems: readonly string[];
}

export function compileChains(
  chains: readonly ExtensionChainIR[],
  runtime: ExtensionFactory,
): CompiledChainSet {
  const compiled: ExtensionChain[] = [];
  const problems: string[] = [];
  for (const ir of chains) {
    let match: MatchCondition;
    try {
      match = compileMatchCondition(ir.match);
    } catch (err) {
      problems.push(
        `${ir.id}: match condition does not compile, chain skipped: ${(err as Error).message.split('\n')[0]}`,
      );
      continue;
    }
    compiled.push(
      new ExtensionChain(
        ir,
        match,
        ir.extensions.map((e) => createExtension(e, ir, runtime)),
      ),
    );
  }
  return {
    problems,
    select(request: RequestInfo, headers: HeaderMap): Extension | undefined {
      for (const c of compiled) if (c.match({ request, headers })) return c;
      return undefined;
    },
  };
}

/**
 * The data plane's `compileChains` option in one call: callouts through `callouts` (one client for the
 * process, so connections outlive snapshots), Wasm plugins through `wasm` with the plugin the snapshot names.
 *
 *   new DataPlane({ compileChains: chainCompiler(new CalloutClient(), wasmFactory) })
 */
export function chainCompiler(
  callouts: CalloutClient,
  wasm?: (ir: WasmExtensionIR, plugin: WasmPluginIR) => Extension,
): (chains: readonly ExtensionChainIR[], snapshot: Snapshot) => CompiledChainSet {
  return (chains, snapshot) =>
    compileChains(chains, {
      callout: (ir) => callouts.extension(ir),
      ...(wasm
        ? {
            wasm: (ir: WasmExtensionIR) => {
              const plugin = snapshot.wasmPlugins[ir.plugin];
              if (!plugin)
                return new UnavailableExtension(
                  ir,
                  `extension ${ir.id}: GCPWasmPlugin ${ir.plugin} is not in the snapshot`,
                );
              return wasm(ir, plugin);
            },
          }
        : {}),
    });
}

function createExtension(ir: ExtensionIR, chain: ExtensionChainIR, runtime: ExtensionFactory): Extension {
  if (ir.kind === 'callout') return runtime.callout(ir, chain);
  if (runtime.wasm) return runtime.wasm(ir, chain);
  return new UnavailableExtension(
    ir,
    `extension ${ir.id}: no Wasm runtime in this data plane; plugin ${ir.plugin} cannot run`,
  );
}

/** Stands in for an extension that cannot run: fails each event, so failOpen decides what the client sees. */
class UnavailableExtension implements Extension {
  readonly id: string;
  readonly failOpen: boolean;
  readonly events: ReadonlySet<HttpEvent>;
  constructor(
    ir: ExtensionIR,
    private readonly reason: string,
  ) {
    this.id = ir.id;
    this.failOpen = ir.failOpen;
    this.events = new Set(ir.events);
  }
  open(): ExtensionStream {
    const fail = async (): Promise<never> => {
      throw new ExtensionError('error', this.reason);
    };
    return {
      requestHeaders: fail,
      requestBody: fail,
      requestTrailers: fail,
      responseHeaders: fail,
      responseBody: fail,
      responseTrailers: fail,
      close: () => undefined,
    };
  }
}

class ExtensionChain implements Extension {
  readonly id: string;
  readonly failOpen = false;
  readonly events: ReadonlySet<HttpEvent>;
  readonly holdsBodyDuringHeaders: boolean;

  constructor(
    ir: ExtensionChainIR,
    readonly match: MatchCondition,
    private readonly members: readonly Extension[],
  ) {
    this.id = ir.id;
    this.events = new Set(members.flatMap((m) => [...m.events]));
    this.holdsBodyDuringHeaders = members.some((m) => m.holdsBodyDuringHeaders === true);
  }

  open(request: RequestInfo): ExtensionStream {
    return new ChainStream(this.members.map((m) => ({ ext: m, stream: m.open(request), skipped: false })));
  }
}

interface Member {
  readonly ext: Extension;
  readonly stream: ExtensionStream;
  /** Failed open: absent for the rest of the request. */
  skipped: boolean;
}

type HeadersEvent = 'RequestHeaders' | 'ResponseHeaders' | 'RequestTrailers' | 'ResponseTrailers';
type BodyEvent = 'RequestBody' | 'ResponseBody';

const EFFECT_RANK: Record<StepEffect, number> = {
  NONE: 0,
  FAILED_OPEN: 1,
  CONTENT_MODIFIED: 2,
  IMMEDIATE_RESPONSE: 3,
};

const NONE: StepResult = Object.freeze({ effect: 'NONE' });
const FAILED_OPEN: StepResult = Object.freeze({ effect: 'FAILED_OPEN' });

/** One member's event, called without a closure per call (this runs several times per request). */
function callHeaders(
  s: ExtensionStream,
  event: HeadersEvent,
  h: HeaderMap,
  eos: boolean,
): Promise<TrailersStepResult> {
  switch (event) {
    case 'RequestHeaders':
      return s.requestHeaders(h, eos);
    case 'ResponseHeaders':
      return s.responseHeaders(h, eos);
    case 'RequestTrailers':
      return s.requestTrailers(h);
    case 'ResponseTrailers':
      return s.responseTrailers(h);
  }
}

function callBody(
  s: ExtensionStream,
  event: BodyEvent,
  chunk: Uint8Array,
  eos: boolean,
): Promise<BodyStepResult> {
  return event === 'RequestBody' ? s.requestBody(chunk, eos) : s.responseBody(chunk, eos);
}

class ChainStream implements ExtensionStream {
  private reversedMembers: readonly Member[] | undefined;
  private closed = false;

  constructor(private readonly members: readonly Member[]) {}

  private get reversed(): readonly Member[] {
    return (this.reversedMembers ??= [...this.members].reverse());
  }

  requestHeaders(headers: HeaderMap, endOfStream: boolean): Promise<StepResult> {
    return this.headers(this.members, 'RequestHeaders', headers, endOfStream);
  }

  responseHeaders(headers: HeaderMap, endOfStream: boolean): Promise<StepResult> {
    return this.headers(this.reversed, 'ResponseHeaders', headers, endOfStream);
  }

  requestTrailers(trailers: HeaderMap): Promise<TrailersStepResult> {
    return this.headers(this.members, 'RequestTrailers', trailers, true);
  }

  responseTrailers(trailers: HeaderMap): Promise<TrailersStepResult> {
    return this.headers(this.reversed, 'ResponseTrailers', trailers, true);
  }

  requestBody(chunk: Uint8Array, endOfStream: boolean): Promise<BodyStepResult> {
    return this.body(this.members, 'RequestBody', chunk, endOfStream);
  }

  responseBody(chunk: Uint8Array, endOfStream: boolean): Promise<BodyStepResult> {
    return this.body(this.reversed, 'ResponseBody', chunk, endOfStream);
  }

  /**
   * Headers answered in this turn when the one member taking the event can answer so (a plugin): the hot
   * path of Wasm chains, with no promise per event. Several members (or an asynchronous one): undefined, and
   * the event goes through the promise form.
   */
  headersNow(direction: Direction, headers: HeaderMap, eos: boolean): StepResult | undefined {
    // A closed stream (answered locally, or the request ended) runs nothing more.
    if (this.closed) return NONE;
    const request = direction === 'request';
    const one = this.only(
      request ? this.members : this.reversed,
      request ? 'RequestHeaders' : 'ResponseHeaders',
    );
    if (one === null) return NONE;
    if (one === undefined || one.stream.headersNow === undefined) return undefined;
    let r: StepResult | undefined;
    try {
      r = one.stream.headersNow(direction, headers, eos);
    } catch (err) {
      this.failOpen(one, err);
      return FAILED_OPEN;
    }
    return r === undefined ? undefined : this.memberAnswered(r);
  }

  /** The one member's answer as the chain's: an immediate response closes the chain; the effect is set. */
  private memberAnswered<R extends StepResult>(r: R): R {
    if (r.immediate) this.close();
    return r.effect === undefined ? { ...r, effect: 'NONE' } : r;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const m of this.members) {
      try {
        m.stream.close();
      } catch {
        // close() must not throw; one member's bug must not keep the others open.
      }
    }
  }

  /** The one member that takes `event` now, null when none does, undefined when several do. */
  private only(order: readonly Member[], event: HttpEvent): Member | null | undefined {
    let found: Member | null = null;
    for (const m of order) {
      if (m.skipped || !m.ext.events.has(event)) continue;
      if (found !== null) return undefined;
      found = m;
    }
    return found;
  }

  private headers(
    order: readonly Member[],
    event: HeadersEvent,
    headers: HeaderMap,
    eos: boolean,
  ): Promise<TrailersStepResult> {
    const one = this.closed ? null : this.only(order, event);
    if (one === null) return Promise.resolve(NONE);
    if (one === undefined) return this.headersOfAll(order, event, headers, eos);
    // The common case, one member: its answer is the chain's, with no accumulation.
    return callHeaders(one.stream, event, headers, eos).then(
      (r) => this.memberAnswered(r),
      (err: unknown) => {
        this.failOpen(one, err);
        return FAILED_OPEN;
      },
    );
  }

  private async headersOfAll(
    order: readonly Member[],
    event: HeadersEvent,
    headers: HeaderMap,
    eos: boolean,
  ): Promise<TrailersStepResult> {
    const acc = new Accumulator();
    // A FullDuplexStreamed callout hands back, with its trailers answer, body it streamed after the last chunk.
    const trailingBody: Uint8Array[] = [];
    for (const m of order) {
      if (m.skipped || !m.ext.events.has(event)) continue;
      let r: TrailersStepResult;
      try {
        r = await callHeaders(m.stream, event, headers, eos);
      } catch (err) {
        this.failOpen(m, err);
        acc.failedOpen();
        continue;
      }
      acc.add(r);
      if (r.immediate) return this.finishImmediate(acc);
      if (r.chunks) trailingBody.push(...r.chunks);
    }
    return trailingBody.length > 0 ? { ...acc.result(), chunks: trailingBody } : acc.result();
  }

  private body(
    order: readonly Member[],
    event: BodyEvent,
    chunk: Uint8Array,
    eos: boolean,
  ): Promise<BodyStepResult> {
    const one = this.only(order, event);
    if (one === null) return Promise.resolve({ effect: 'NONE', chunks: [chunk] });
    if (one === undefined) return this.bodyOfAll(order, event, chunk, eos);
    return callBody(one.stream, event, chunk, eos).then(
      (r) => {
        if (r.immediate) {
          this.close();
          return { ...r, chunks: [] };
        }
        return r.effect === undefined ? { ...r, effect: 'NONE' } : r;
      },
      (err: unknown) => {
        // Fail-open: the member is absent, so what it was given passes on unchanged.
        this.failOpen(one, err);
        return { effect: 'FAILED_OPEN', chunks: [chunk] };
      },
    );
  }

  private async bodyOfAll(
    order: readonly Member[],
    event: BodyEvent,
    chunk: Uint8Array,
    eos: boolean,
  ): Promise<BodyStepResult> {
    const acc = new Accumulator();
    let chunks: readonly Uint8Array[] = [chunk];
    // Each member's edits to the held headers, applied in the members' order.
    const edits: Array<(headers: HeaderMap) => boolean> = [];
    for (const m of order) {
      if (m.skipped || !m.ext.events.has(event)) continue;
      // Feed this member everything the previous one produced; the last piece carries end-of-stream.
      const inputs = chunks.length === 0 && eos ? [new Uint8Array(0)] : chunks;
      const out: Uint8Array[] = [];
      const memberEdits: Array<(headers: HeaderMap) => boolean> = [];
      let failed = false;
      for (let i = 0; i < inputs.length; i++) {
        let r: BodyStepResult;
        try {
          r = await callBody(m.stream, event, inputs[i]!, eos && i === inputs.length - 1);
        } catch (err) {
          this.failOpen(m, err);
          failed = true;
          break;
        }
        acc.add(r);
        if (r.immediate) return { ...this.finishImmediate(acc), chunks: [] };
        out.push(...r.chunks);
        if (r.editHeldHeaders) memberEdits.push(r.editHeldHeaders);
      }
      if (failed) {
        // Fail-open: the member is absent, so what it was given passes on unchanged.
        acc.failedOpen();
        continue;
      }
      chunks = out;
      edits.push(...memberEdits);
    }
    const result = { ...acc.result(), chunks };
    if (edits.length === 0) return result;
    return {
      ...result,
      editHeldHeaders: (headers) => edits.reduce((changed, edit) => edit(headers) || changed, false),
    };
  }

  /** A member's event failed: rethrown unless the member fails open, which makes it absent from now on. */
  private failOpen(m: Member, err: unknown): void {
    const e =
      err instanceof ExtensionError
        ? err
        : new ExtensionError('error', `extension ${m.ext.id}: ${String(err)}`);
    if (!m.ext.failOpen) throw e;
    m.skipped = true;
    try {
      m.stream.close();
    } catch {
      // ignore: the member is already failing
    }
  }

  private finishImmediate(acc: Accumulator): StepResult {
    // The request is answered locally: nothing more will be asked of any member.
    const r = acc.result();
    this.close();
    return r;
  }
}

/** Folds the members' results of one event into the chain's result. */
class Accumulator {
  private effect: StepEffect = 'NONE';
  private clearRouteCache = false;
  private selectedEndpoint: string | undefined;
  private immediate: StepResult['immediate'];

  add(r: StepResult): void {
    this.rank(r.effect ?? 'NONE');
    if (r.clearRouteCache) this.clearRouteCache = true;
    if (r.selectedEndpoint) this.selectedEndpoint = r.selectedEndpoint;
    if (r.immediate) this.immediate = r.immediate;
  }

  failedOpen(): void {
    this.rank('FAILED_OPEN');
  }

  result(): StepResult {
    return {
      effect: this.effect,
      ...(this.immediate ? { immediate: this.immediate } : {}),
      ...(this.clearRouteCache ? { clearRouteCache: true } : {}),
      ...(this.selectedEndpoint ? { selectedEndpoint: this.selectedEndpoint } : {}),
    };
  }

  private rank(e: StepEffect): void {
    if (EFFECT_RANK[e] > EFFECT_RANK[this.effect]) this.effect = e;
  }
}
