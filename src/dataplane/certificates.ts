// A listener's certificate and key loaded as TLS serves them. One function for the data plane (compiled-port.ts)
// and the translator, which loads each Secret the same way before a snapshot carries it.

import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { CertificateIR } from '../ir/snapshot.js';

/**
 * The TLS context of a certificate and its key, as listeners serve it. The translator calls this too, so a
 * Secret the data plane could not load is reported on its listener before any snapshot carries it.
 */
export function compileCertificate(c: CertificateIR): {
  readonly context: tls.SecureContext;
  readonly cert: X509Certificate;
} {
  try {
    return {
      context: tls.createSecureContext({ cert: c.certPem, key: c.keyPem }),
      cert: new X509Certificate(c.certPem),
    };
  } catch (err) {
    throw new Error(
      `the certificate from Secret ${c.secret} cannot be loaded (${(err as Error).message}); ` +
        'it must hold a PEM certificate and its matching private key (kubectl create secret tls NAME --cert=... --key=...)',
    );
  }
}
