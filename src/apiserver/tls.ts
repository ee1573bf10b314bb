// The API's TLS identity: a self-signed CA and a server certificate for 127.0.0.1/localhost, generated at first
// start and kept in the state dir (kubectl sends bearer tokens only over TLS, docs/spec/kubernetes-api.md §0.1).
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface TlsIdentity {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

function rsaKeys(): forge.pki.rsa.KeyPair {
  // node's native generator: forge's pure-JS RSA keygen takes seconds.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const priv = forge.pki.privateKeyFromPem(
    privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  ) as forge.pki.rsa.PrivateKey;
  const pub = forge.pki.setRsaPublicKey(priv.n, priv.e);
  return { privateKey: priv, publicKey: pub };
}

function newCert(publicKey: forge.pki.PublicKey, cn: string): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 3600 * 1000);
  cert.validity.notAfter = new Date(now + TEN_YEARS_MS);
  cert.setSubject([{ name: 'commonName', value: cn }]);
  return cert;
}

function generate(): TlsIdentity {
  const caKeys = rsaKeys();
  const ca = newCert(caKeys.publicKey, 'extgate-ca');
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = rsaKeys();
  const server = newCert(serverKeys.publicKey, 'extgate-apiserver');
  server.setIssuer(ca.subject.attributes);
  server.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // Go verifies SANs only; the CN is ignored.
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  server.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(server),
    keyPem: forge.pki.privateKeyToPem(serverKeys.privateKey),
  };
}

/** State-dir files holding private keys (0600; the CA's key is never kept). */
export const privateKeyFiles = ['apiserver.key'] as const;

/** Loads `ca.crt`, `apiserver.crt`, `apiserver.key` from the state dir, generating them when absent or expired. */
export function loadOrCreateTls(stateDir: string): TlsIdentity {
  const paths = {
    ca: join(stateDir, 'ca.crt'),
    cert: join(stateDir, 'apiserver.crt'),
    key: join(stateDir, 'apiserver.key'),
  };
  if (existsSync(paths.ca) && existsSync(paths.cert) && existsSync(paths.key)) {
    const id = {
      caPem: readFileSync(paths.ca, 'utf8'),
      certPem: readFileSync(paths.cert, 'utf8'),
      keyPem: readFileSync(paths.key, 'utf8'),
    };
    if (new Date(new X509Certificate(id.certPem).validTo).getTime() > Date.now() + 24 * 3600 * 1000)
      return id;
  }
  const id = generate();
  writeFileSync(paths.ca, id.caPem, { mode: 0o644 });
  writeFileSync(paths.cert, id.certPem, { mode: 0o644 });
  writeFileSync(paths.key, id.keyPem, { mode: 0o600 });
  return id;
}

/** The bearer token kept in `<state-dir>/token`, created at first start. */
export function loadOrCreateToken(stateDir: string): string {
  const path = join(stateDir, 'token');
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    if (token) return token;
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(path, token + '\n', { mode: 0o600 });
  return token;
}

/** Writes `<state-dir>/kubeconfig` pointing at the API (docs/spec/kubernetes-api.md §0.1). */
export function writeKubeconfig(stateDir: string, url: string, caPem: string, token: string): string {
  const path = join(stateDir, 'kubeconfig');
  const ca = Buffer.from(caPem).toString('base64');
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: extgate',
    '  cluster:',
    `    server: ${url}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    '- name: extgate',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: extgate',
    '  context:',
    '    cluster: extgate',
    '    user: extgate',
    '    namespace: default',
    'current-context: extgate',
    '',
  ].join('\n');
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}
