// Request decoding: bodies (JSON, YAML, Kubernetes protobuf), media types and the write query parameters.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { ResourceKind } from '../api/kinds.js';
import { jsonTooDeepAt, MAX_BODY_DEPTH, yamlTooDeepAt } from './body-depth.js';
import { decodeKubeProtobuf, ProtobufError } from './protobuf.js';
import type { FieldValidation, WriteContext } from './resources.js';
import { managerFromUserAgent } from './managed-fields.js';
import { queryBool } from './query.js';
import { ApiError, errors } from './status.js';

/** kube-apiserver's limit on request bodies (3 MiB, apiserver MaxRequestBodyBytes). */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/** JSON unless the client said otherwise; kubectl 1.20 sends no Content-Type at all (§1.5). */
export function decodeBody(k: ResourceKind | undefined, contentType: string, body: Buffer): unknown {
  if (contentType === 'application/vnd.kubernetes.protobuf') {
    try {
      return decodeKubeProtobuf(body);
    } catch (err) {
      if (err instanceof ProtobufError && err.message.startsWith('protobuf is not supported'))
        throw new ApiError(
          415,
          'UnsupportedMediaType',
          // kube-apiserver's words for a protobuf type it has no decoder for (docs/spec/kubernetes-api.md §8.7).
          'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
        );
      throw errors.badRequest((err as Error).message);
    }
  }
  const text = body.toString('utf8');
  if (contentType === 'application/yaml' || contentType === 'application/apply-patch+yaml') {
    const line = yamlTooDeepAt(text);
    if (line !== undefined) throw tooDeep(`line ${line}`);
    try {
      return parseYaml(text);
    } catch (err) {
      throw errors.badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
    }
  }
  if (
    contentType !== '' &&
    contentType !== 'application/json' &&
    !contentType.endsWith('+json') &&
    contentType !== '*/*'
  )
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
    );
  if (text.trim() === '') throw errors.badRequest('the request body is empty: send the object as JSON');
  const offset = jsonTooDeepAt(text);
  if (offset !== undefined) throw tooDeep(`byte ${offset}`);
  try {
    return JSON.parse(text);
  } catch (err) {
    const what = k
      ? `${k.kind} in version "${k.version}" cannot be handled as a ${k.kind}`
      : 'the request body';
    throw errors.badRequest(`${what}: json parse error: ${(err as Error).message}`);
  }
}

function tooDeep(where: string): ApiError {
  return errors.badRequest(
    `the request body nests deeper than ${MAX_BODY_DEPTH} levels (passed at ${where}); no Kubernetes object ` +
      `needs that many: send a flatter document`,
  );
}

/** Only an Accept admitting neither JSON nor a wildcard gets 406 (docs/spec/kubernetes-api.md §1.5). */
export function acceptable(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const t = mediaType(part);
    return t === 'application/json' || t === '*/*' || t === 'application/*' || t === 'application/yaml';
  });
}

/** dryRun, fieldValidation (default Warn, as kube-apiserver), fieldManager, force. */
export function writeContext(
  q: URLSearchParams,
  bodyDryRun = false,
  optionsKind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions' = 'UpdateOptions',
  userAgent?: string,
): WriteContext {
  // kube-apiserver: an empty value means Warn; anything else outside the three is a 422 on the options.
  const fv = q.get('fieldValidation') || 'Warn';
  if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore')
    throw new ApiError(
      422,
      'Invalid',
      `${optionsKind}.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`,
      {
        group: 'meta.k8s.io',
        kind: optionsKind,
        causes: [
          {
            reason: 'FieldValueNotSupported',
            field: 'fieldValidation',
            message: `Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`,
          },
        ],
      },
    );
  const dry = q.getAll('dryRun');
  for (const d of dry)
    if (d !== 'All') throw errors.badRequest(`dryRun: Unsupported value: "${d}": supported values: "All"`);
  const ctx: WriteContext = {
    dryRun: dry.length > 0 || bodyDryRun,
    fieldValidation: fv as FieldValidation,
    warnings: [],
  };
  ctx.defaultManager = managerFromUserAgent(userAgent);
  const fm = q.get('fieldManager');
  if (fm) ctx.fieldManager = fm;
  if (queryBool(q, 'force')) ctx.force = true;
  return ctx;
}

export function warningHeaders(ctx: WriteContext): Record<string, string[]> {
  return ctx.warnings.length ? { Warning: ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {};
}
