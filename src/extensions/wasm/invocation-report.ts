// What the runtime reports after each plugin callback (the admin's metrics subscribe to it), in a leaf module
// so the pool that produces reports and the runtime that forwards them do not import each other.

export interface PluginInvocationReport {
  readonly plugin: string;
  readonly version: string;
  readonly callback: string;
  readonly cpuMicros: number;
  readonly failed: boolean;
  /** Linear memory of the VM after the call. */
  readonly memoryBytes: number;
}
