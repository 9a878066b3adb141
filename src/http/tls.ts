// HTTPS material. Given --tls-cert/--tls-key, those files are used as they are. Otherwise a local
// CA is made once in the data directory and server certificates are issued from it: one for the
// default names at start, and one per other tenant host on first TLS handshake (SNI), so a tenant
// added later at tenant-b.localhost works without a restart. The CA users are asked to trust can
// sign only for loopback names and the tenant domains known when it was made (critical Name
// Constraints) and lives 825 days; one without constraints (an earlier version's) is replaced, with
// a notice saying how to trust the new one (S13, docs/decisions/0007-local-ca.md).
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ServerOptions as HttpsOptions } from 'node:https';
import path from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { CA_LIFETIME_DAYS, caFacts, createCa, generateRsaKey, importRsaKey, issueServerCert, type CaFacts, type LocalCaFiles } from '../crypto/certs.ts';
import { describeNames, permittedFor, permits, type PermittedNames } from '../crypto/name-constraints.ts';

export interface LocalCa {
  caCertPath: string;
  https: HttpsOptions;
}

export interface LocalCaOptions {
  /** Tenant domains (host[:port]) a new CA may sign for, besides the loopback names. */
  hosts?: readonly string[];
  /** Operator-facing warnings (a replaced or ending CA, a tenant host the CA cannot sign for). */
  warn?: (message: string) => void;
}

export interface LocalCaState {
  caCertPath: string;
  /** Set when this call replaced the CA: what users who trusted the previous one must do. */
  replaced?: string;
}

const DAY_MS = 86_400_000;
/** How long before its end a CA's coming expiry is announced at every start. */
const WARN_BEFORE_MS = 30 * DAY_MS;

const hostOf = (domain: string): string => domain.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
const day = (d: Date): string => d.toISOString().slice(0, 10);

function files(dataDir: string) {
  const at = (name: string) => path.join(dataDir, name);
  return { cert: at('ca.crt'), key: at('ca.key'), previous: at('ca-previous.crt'), serverKey: at('server.key') };
}

function writeSecret(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Why a stored CA must be replaced, or undefined when it can stay. */
function replacementReason(facts: CaFacts, now: Date): string | undefined {
  if (!facts.constraints) return 'had no Name Constraints (an earlier Scopeward version made it), so it could sign a certificate for any site';
  if (facts.notAfter.getTime() - facts.notBefore.getTime() > (CA_LIFETIME_DAYS + 1) * DAY_MS) return `was valid until ${day(facts.notAfter)}, longer than the ${CA_LIFETIME_DAYS} days a local CA now lives`;
  if (facts.notAfter <= now) return `expired on ${day(facts.notAfter)}`;
  return undefined;
}

async function newCa(hosts: readonly string[], now: Date): Promise<LocalCaFiles> {
  // The date tells this CA from the ones before it in a trust store's list.
  return createCa(`Scopeward local development CA ${day(now)}`, permittedFor(hosts.map(hostOf)), now);
}

/** The key first, then the certificate, each replaced whole (rename): the previous key is gone. */
function storeCa(f: ReturnType<typeof files>, ca: LocalCaFiles): void {
  writeSecret(`${f.key}.new`, ca.keyPem);
  writeFileSync(`${f.cert}.new`, ca.certPem, { mode: 0o644 });
  renameSync(`${f.key}.new`, f.key);
  renameSync(`${f.cert}.new`, f.cert);
}

/**
 * Creates (or loads, or replaces) the local CA and the server key in `dataDir`; run once before
 * forking workers. A CA without critical Name Constraints, or living longer than 825 days (both
 * made by earlier versions), or expired, is replaced: its key overwritten (a key that can sign for
 * any site must not stay on disk), its certificate kept as ca-previous.crt so users can find it in
 * their trust stores, and the notice says how to trust the new one. A CA in its last 30 days is
 * announced at every start.
 */
export async function ensureLocalCa(dataDir: string, now: Date, options: LocalCaOptions = {}): Promise<LocalCaState> {
  const f = files(dataDir);
  const state: LocalCaState = { caCertPath: f.cert };
  if (!existsSync(f.cert) || !existsSync(f.key)) {
    storeCa(f, await newCa(options.hosts ?? [], now));
  } else {
    const certPem = readFileSync(f.cert, 'utf8');
    const facts = await caFacts(certPem);
    const reason = replacementReason(facts, now);
    if (reason !== undefined) {
      const next = await newCa(options.hosts ?? [], now);
      writeFileSync(f.previous, certPem, { mode: 0o644 });
      storeCa(f, next);
      const made = await caFacts(next.certPem);
      state.replaced =
        `Replaced the local CA ${f.cert}: the previous one (${facts.subject}, kept as ${f.previous}) ${reason}. ` +
        `The new one (${made.subject}) can sign only for ${describeNames(made.constraints!)} and ends on ${day(made.notAfter)}. ` +
        `Clients that trusted the previous one refuse this server until they trust the new one: restart applications that use NODE_EXTRA_CA_CERTS=${f.cert} (it is read at start), ` +
        `import ${f.cert} again wherever you imported the previous one (system or browser trust store, curl --cacert copies), and remove the previous one from there.`;
      options.warn?.(state.replaced);
    } else if (facts.notAfter.getTime() - now.getTime() < WARN_BEFORE_MS) {
      options.warn?.(
        `The local CA ${f.cert} ends on ${day(facts.notAfter)}; the first start after that makes a new one, which clients must trust again. ` +
          `To renew it now, stop the server, delete ca.crt and ca.key in ${dataDir}, start it and trust the new ca.crt.`,
      );
    }
  }
  if (!existsSync(f.serverKey)) writeSecret(f.serverKey, (await generateRsaKey()).privatePem);
  return state;
}

function outsideWarning(host: string, names: PermittedNames, dataDir: string): string {
  return (
    `The local CA cannot sign for ${host}: it is limited to ${describeNames(names)}, so clients will refuse the certificate for ${host}. ` +
    `For a real domain give --tls-cert/--tls-key, or serve --http behind a TLS-terminating proxy. ` +
    `To have the local CA cover it, stop the server, delete ca.crt and ca.key in ${dataDir} (a new CA is made for every tenant domain known then) and trust the new ca.crt.`
  );
}

/**
 * HTTPS options backed by the local CA. `isKnownHost` tells whether a requested server name is a
 * tenant domain: certificates are only ever issued for those. The CA's own notices (replaced, or
 * ending soon) belong to whoever called ensureLocalCa first at start-up (main.ts, with every tenant
 * domain); `warn` here says only which names the CA cannot sign for, so nothing is said twice.
 */
export async function localCaHttps(
  dataDir: string,
  defaultDomain: string,
  isKnownHost: (host: string) => boolean,
  now: () => Date,
  warn: (message: string) => void = () => undefined,
): Promise<LocalCa> {
  const { caCertPath } = await ensureLocalCa(dataDir, now(), { hosts: [defaultDomain] });
  const f = files(dataDir);
  const ca = { certPem: readFileSync(f.cert, 'utf8'), keyPem: readFileSync(f.key, 'utf8') };
  const constraints = (await caFacts(ca.certPem)).constraints ?? permittedFor([]);
  const keyPem = readFileSync(f.serverKey, 'utf8');
  const serverKeys = await importRsaKey(keyPem);
  const defaultNames = [...new Set([hostOf(defaultDomain), 'localhost', '127.0.0.1', '::1'])];
  const warned = new Set<string>();
  const checkCovered = (name: string): void => {
    if (permits(constraints, name) || warned.has(name)) return;
    warned.add(name);
    warn(outsideWarning(name, constraints, dataDir));
  };
  defaultNames.forEach(checkCovered);
  const cert = await issueServerCert(ca, serverKeys, defaultNames, now());
  const chain = `${cert.trim()}\n${ca.certPem.trim()}\n`;

  const contexts = new Map<string, Promise<SecureContext>>();
  const SNICallback = (servername: string, done: (error: Error | null, ctx?: SecureContext) => void): void => {
    const name = servername.toLowerCase();
    if (defaultNames.includes(name) || !isKnownHost(name)) return done(null, undefined);
    let pending = contexts.get(name);
    if (!pending) {
      // Issued even outside the constraints: the client's error then names the real cause.
      checkCovered(name);
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
