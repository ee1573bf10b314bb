// The I/O half of GCPWasmPlugin handling: pulling each plugin's serving image (through an injected
// WasmImageResolver; OCI pulling lives elsewhere) so the translator can stay pure. Results are kept per
// (image, pluginConfigURI); a failed pull is retried after WASM_RETRY_MS.

import type { ResourceSet } from './resources.js';
import { type WasmImageState, wantedWasmImages, wasmImageKey } from './translator/wasm.js';

export interface WasmImageResolver {
  resolve(
    image: string,
    configUri?: string,
  ): Promise<{ moduleDigest: string; modulePath: string; configBase64?: string }>;
}

/** Retry interval for a failed image pull (a registry that was down, a tag pushed later). */
const WASM_RETRY_MS = 15_000;

export class WasmImageStage {
  private readonly states = new Map<string, WasmImageState>();
  private readonly failedAt = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  private closed = false;

  constructor(
    private readonly resolver: WasmImageResolver | undefined,
    private readonly onSettled: () => void,
  ) {}

  /** Starts resolutions the resources need and returns what is known now. */
  update(resources: ResourceSet): ReadonlyMap<string, WasmImageState> {
    if (!this.resolver) return this.states;
    const wanted = wantedWasmImages(resources);
    const keys = new Set<string>();
    for (const { image, configUri } of wanted) {
      const key = wasmImageKey(image, configUri);
      keys.add(key);
      const state = this.states.get(key);
      const retry = state?.state === 'failed' && Date.now() - (this.failedAt.get(key) ?? 0) > WASM_RETRY_MS;
      if ((state && !retry) || this.inFlight.has(key)) continue;
      if (!state) this.states.set(key, { state: 'pending' });
      this.resolve(key, image, configUri);
    }
    for (const key of [...this.states.keys()])
      if (!keys.has(key) && !this.inFlight.has(key)) this.states.delete(key);
    return this.states;
  }

  get pending(): boolean {
    return [...this.states.values()].some((s) => s.state === 'pending');
  }

  close(): void {
    this.closed = true;
  }

  private resolve(key: string, image: string, configUri: string | undefined): void {
    this.inFlight.add(key);
    const resolver = this.resolver;
    if (!resolver) return;
    Promise.resolve()
      .then(() => resolver.resolve(image, configUri))
      .then(
        (module) => {
          this.states.set(key, {
            state: 'ready',
            module: {
              moduleDigest: module.moduleDigest,
              modulePath: module.modulePath,
              ...(module.configBase64 !== undefined ? { configBase64: module.configBase64 } : {}),
            },
          });
          this.failedAt.delete(key);
        },
        (err: unknown) => {
          this.states.set(key, { state: 'failed', error: err instanceof Error ? err.message : String(err) });
          this.failedAt.set(key, Date.now());
          if (!this.closed) setTimeout(() => this.onSettled(), WASM_RETRY_MS + 10).unref();
        },
      )
      .finally(() => {
        this.inFlight.delete(key);
        if (!this.closed) this.onSettled();
      });
  }
}
