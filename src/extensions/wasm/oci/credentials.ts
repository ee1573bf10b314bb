// Registry credentials from Docker's config format: `~/.docker/config.json`, or the `.dockerconfigjson` key of
// a `kubernetes.io/dockerconfigjson` Secret (named by `--registry-secret NAMESPACE/NAME`). Only `auths` with
// `auth` (base64 user:password) or `username`/`password` are read; credential helpers are not run.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RegistryAuth, RegistryCredentials } from './registry.js';

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
}

/** Keys in `auths` may be URLs (`https://index.docker.io/v1/`); we key by host[:port]. */
function hostOf(key: string): string {
  const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return host === 'index.docker.io' || host === 'docker.io' ? 'registry-1.docker.io' : host;
}

export function credentialsFromDockerConfig(json: string, source = 'docker config'): RegistryCredentials {
  let cfg: DockerConfig;
  try {
    cfg = JSON.parse(json) as DockerConfig;
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const out: Record<string, RegistryAuth> = {};
  for (const [key, entry] of Object.entries(cfg.auths ?? {})) {
    if (entry.username !== undefined && entry.password !== undefined) {
      out[hostOf(key)] = { username: entry.username, password: entry.password };
    } else if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i < 0) throw new Error(`${source}: auths["${key}"].auth is not base64 of user:password`);
      out[hostOf(key)] = { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
    }
  }
  return out;
}

/** `~/.docker/config.json` (or `$DOCKER_CONFIG/config.json`) if present; {} otherwise. */
export function loadDockerCredentials(
  path = join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json'),
): RegistryCredentials {
  let json: string;
  try {
    json = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  return credentialsFromDockerConfig(json, path);
}

/** From a Secret's data (base64 values, as the API returns them). */
export function credentialsFromSecretData(
  data: Readonly<Record<string, string>>,
  secret: string,
): RegistryCredentials {
  const raw = data['.dockerconfigjson'];
  if (!raw)
    throw new Error(
      `Secret ${secret} has no .dockerconfigjson key (it must be of type kubernetes.io/dockerconfigjson)`,
    );
  return credentialsFromDockerConfig(Buffer.from(raw, 'base64').toString('utf8'), `Secret ${secret}`);
}
