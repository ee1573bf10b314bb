// What one write request asks of the store (dry run, field validation, field manager, force) and collects
// (warnings): a leaf module, so the resource store and the field validator share it without importing
// each other.

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteContext {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  fieldManager?: string;
  /** The manager of writes without `fieldManager` (kube-apiserver: the User-Agent's product name). */
  defaultManager?: string;
  force?: boolean;
  /** Set by server-side apply for the write it makes: the applied configuration. */
  applied?: Record<string, unknown>;
  /** Filled with `Warning` header texts (unknown fields under `Warn`). */
  warnings: string[];
}
