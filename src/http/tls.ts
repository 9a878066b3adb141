// HTTPS material. Given --tls-cert/--tls-key, those files are used as they are. Otherwise a local
// CA is made once in the data directory and server certificates are issued from it: one for the
// default names at start, and one per other tenant host on first TLS handshake (SNI), so a tenant
// added later at tenant-b.localhost works without a restart.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ServerOptions as HttpsOptions } from 'node:https';
import path from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { createCa, generateRsaKey, importRsaKey, issueServerCert } from '../crypto/certs.ts';

export interface LocalCa {
  caCertPath: string;
  https: HttpsOptions;
}

const hostOf = (domain: string): string => domain.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');

function writeSecret(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Creates (or loads) the local CA and server key in `dataDir`. Safe to call before forking workers. */
export async function ensureLocalCa(dataDir: string, now: Date): Promise<{ caCertPath: string }> {
  const caCertPath = path.join(dataDir, 'ca.crt');
  const caKeyPath = path.join(dataDir, 'ca.key');
  const serverKeyPath = path.join(dataDir, 'server.key');
  if (!existsSync(caCertPath) || !existsSync(caKeyPath)) {
    const ca = await createCa('Scopeward local development CA', now);
    writeSecret(caKeyPath, ca.keyPem);
    writeFileSync(caCertPath, ca.certPem, { mode: 0o644 });
  }
  if (!existsSync(serverKeyPath)) writeSecret(serverKeyPath, (await generateRsaKey()).privatePem);
  return { caCertPath };
}

/**
 * HTTPS options backed by the local CA. `isKnownHost` tells whether a requested server name is a
 * tenant domain: certificates are only ever issued for those.
 */
export async function localCaHttps(dataDir: string, defaultDomain: string, isKnownHost: (host: string) => boolean, now: () => Date): Promise<LocalCa> {
  const { caCertPath } = await ensureLocalCa(dataDir, now());
  const ca = { certPem: readFileSync(caCertPath, 'utf8'), keyPem: readFileSync(path.join(dataDir, 'ca.key'), 'utf8') };
  const keyPem = readFileSync(path.join(dataDir, 'server.key'), 'utf8');
  const serverKeys = await importRsaKey(keyPem);
  const defaultNames = [...new Set([hostOf(defaultDomain), 'localhost', '127.0.0.1', '::1'])];
  const cert = await issueServerCert(ca, serverKeys, defaultNames, now());
  const chain = `${cert.trim()}\n${ca.certPem.trim()}\n`;

  const contexts = new Map<string, Promise<SecureContext>>();
  const SNICallback = (servername: string, done: (error: Error | null, ctx?: SecureContext) => void): void => {
    const name = servername.toLowerCase();
    if (defaultNames.includes(name) || !isKnownHost(name)) return done(null, undefined);
    let pending = contexts.get(name);
    if (!pending) {
      pending = issueServerCert(ca, serverKeys, [name], now()).then((leaf) => createSecureContext({ key: keyPem, cert: `${leaf.trim()}\n${ca.certPem.trim()}\n` }));
      contexts.set(name, pending);
    }
    pending.then((ctx) => done(null, ctx), (error: Error) => done(error));
  };
  return { caCertPath, https: { key: keyPem, cert: chain, SNICallback } };
}

export function fileHttps(certFile: string, keyFile: string): HttpsOptions {
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

export { hostOf };
