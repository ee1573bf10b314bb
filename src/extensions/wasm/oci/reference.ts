// Image references as Docker reads them: [REGISTRY/]REPOSITORY[:TAG][@DIGEST]. The first component is a
// registry when it has a dot or a port or is `localhost`; otherwise the image is on Docker Hub.

export interface ImageReference {
  /** host[:port] as written, e.g. `localhost:5000`, `us-docker.pkg.dev`. */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
  /** `tag` or `digest`, what the manifest is fetched by. */
  readonly ref: string;
}

const REPO_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export class ReferenceError_ extends Error {
  override name = 'InvalidImageReference';
}

export function parseImageReference(input: string): ImageReference {
  let rest = input.trim();
  if (!rest) throw new ReferenceError_('empty image reference');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest))
      throw new ReferenceError_(`image ${input}: digest must be sha256:<64 hex digits>`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new ReferenceError_(`image ${input}: invalid tag '${tag}'`);
  }
  const parts = rest.split('/');
  let registry = 'registry-1.docker.io';
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) {
    registry = parts.shift()!;
  } else if (parts.length === 1) parts.unshift('library');
  if (registry === 'docker.io' || registry === 'index.docker.io') registry = 'registry-1.docker.io';
  for (const p of parts) {
    if (!REPO_COMPONENT.test(p))
      throw new ReferenceError_(
        `image ${input}: invalid repository component '${p}' (lowercase letters, digits, . _ -)`,
      );
  }
  const repository = parts.join('/');
  if (!tag && !digest) tag = 'latest';
  return {
    registry,
    repository,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
    ref: digest ?? tag!,
  };
}

export function formatReference(r: ImageReference): string {
  return `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/** Docker's rule: loopback registries may be plain HTTP. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1';
}
