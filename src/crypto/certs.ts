// Making X.509 certificates, for two jobs: the self-signed certificate Auth0 publishes with every
// signing key (spec §3.5.8), and the local CA + server certificates of the dev server's HTTPS (the
// auth0 SDK only speaks https://DOMAIN, spec §0 row 1); the CA is name-constrained (S13). The
// generation library (~20 MB resident) is loaded on first use only: a server that creates no key
// and serves plain HTTP never loads it.
import { webcrypto } from 'node:crypto';
import { fromPem, toPem } from './cert-facts.ts';
import { decodeNameConstraints, encodeNameConstraints, NAME_CONSTRAINTS_OID, type PermittedNames } from './name-constraints.ts';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type X509 = typeof import('@peculiar/x509');

let library: Promise<X509> | undefined;
function x509lib(): Promise<X509> {
  library ??= (async () => {
    await import('reflect-metadata'); // required by @peculiar/x509's dependency injection container
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto);
    return x509;
  })();
  return library;
}

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const DAY_MS = 86_400_000;

export interface GeneratedKey {
  keys: CryptoKeyPair;
  /** PKCS#8 PEM of the private key. */
  privatePem: string;
}

export async function generateRsaKey(): Promise<GeneratedKey> {
  const keys = (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']));
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { keys, privatePem: toPem('PRIVATE KEY', pkcs8) };
}

export async function importRsaKey(privatePem: string): Promise<CryptoKeyPair> {
  const der = fromPem(privatePem);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, RSA, true, ['sign']);
  const jwk = await webcrypto.subtle.exportKey('jwk', privateKey);
  const publicKey = await webcrypto.subtle.importKey('jwk', { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RS256', ext: true }, RSA, true, ['verify']);
  return { privateKey, publicKey };
}

function serial(): string {
  // Positive, 16 random bytes (RFC 5280 §4.1.2.2 allows up to 20 octets).
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

/** Self-signed certificate for a token signing key, subject CN=domain (as Auth0 does). */
export async function selfSignedCert(keys: CryptoKeyPair, commonName: string, now: Date, years = 10): Promise<string> {
  const x509 = await x509lib();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${escapeDn(commonName)}`,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + years * 365 * DAY_MS),
    keys,
    signingAlgorithm: RSA,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  return cert.toString('pem');
}

/** The local CA's lifetime (S13): see docs/decisions/0007-local-ca.md. */
export const CA_LIFETIME_DAYS = 825;
/** A server certificate's lifetime: the longest browsers accept from public CAs (398 days), clipped to its CA's. */
const LEAF_LIFETIME_DAYS = 397;

export interface LocalCaFiles {
  certPem: string;
  keyPem: string;
}

export interface CaFacts {
  /** Its permitted names; undefined when it has no critical Name Constraints extension. */
  constraints: PermittedNames | undefined;
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

/**
 * A local CA that can sign only for `names` (a critical Name Constraints extension, RFC 5280
 * §4.2.1.10), with no intermediate below it (path length 0), for CA_LIFETIME_DAYS.
 */
export async function createCa(commonName: string, names: PermittedNames, now: Date): Promise<LocalCaFiles> {
  const x509 = await x509lib();
  const { keys, privatePem } = await generateRsaKey();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${escapeDn(commonName)}`,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + CA_LIFETIME_DAYS * DAY_MS),
    keys,
    signingAlgorithm: RSA,
    extensions: await caExtensions(x509, keys.publicKey, names),
  });
  return { certPem: cert.toString('pem'), keyPem: privatePem };
}

async function caExtensions(x509: X509, publicKey: webcrypto.CryptoKey, names: PermittedNames): Promise<InstanceType<X509['Extension']>[]> {
  return [
    new x509.BasicConstraintsExtension(true, 0, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
    new x509.Extension(NAME_CONSTRAINTS_OID, true, encodeNameConstraints(names)),
  ];
}

/** What a stored CA certificate says about itself: its constraints (when critical) and validity. */
export async function caFacts(certPem: string): Promise<CaFacts> {
  const x509 = await x509lib();
  const cert = new x509.X509Certificate(certPem);
  const nc = cert.getExtension(NAME_CONSTRAINTS_OID);
  return {
    constraints: nc?.critical ? decodeNameConstraints(Buffer.from(nc.value)) : undefined,
    subject: cert.subject,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

/** A TLS server certificate for `hostnames`, signed by the local CA. */
export async function issueServerCert(
  ca: LocalCaFiles,
  serverKeys: CryptoKeyPair,
  hostnames: string[],
  now: Date,
): Promise<string> {
  const x509 = await x509lib();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKeys = await importRsaKey(ca.keyPem);
  const names = hostnames.map((h) => (isIp(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    // Never an address as CN: a verifier applying name constraints reads a dotted CN of a
    // certificate without DNS names as one (OpenSSL does), and 127.0.0.1 is no permitted DNS name.
    subject: `CN=${escapeDn(hostnames.find((h) => !isIp(h)) ?? 'Scopeward local server')}`,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - DAY_MS),
    // A certificate never outlives its issuer: past the CA's end it could not verify anyway.
    notAfter: new Date(Math.min(now.getTime() + LEAF_LIFETIME_DAYS * DAY_MS, caCert.notAfter.getTime())),
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  return cert.toString('pem');
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}
