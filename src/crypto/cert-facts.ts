// What is published about a certificate (spec §3.5.8, §2.7): DER for x5c, SHA-1 fingerprints for
// x5t/fingerprint/thumbprint, and a PKCS#7 bundle. Only node:crypto here, so loading a tenant's
// keys never pulls in the certificate-generation library.
import { createHash, X509Certificate } from 'node:crypto';

export interface CertFacts {
  /** base64 DER, for `x5c`. */
  der: string;
  /** PKCS#7 bundle holding the certificate, PEM with CRLF line breaks as Auth0 sends it. */
  pkcs7: string;
  /** Colon-separated upper-case SHA-1 of the DER. */
  fingerprint: string;
  /** Plain upper-case hex SHA-1 of the DER. */
  thumbprint: string;
  /** base64url SHA-1 of the DER, for `x5t`. */
  x5t: string;
  subject: string;
  notAfter: Date;
}

/** DER length octets (X.690 §8.1.3). */
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One DER tag-length-value (X.690 §8.1). */
export const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
};

const OID_SIGNED_DATA = Buffer.from('06092a864886f70d010702', 'hex'); // 1.2.840.113549.1.7.2
const OID_DATA = Buffer.from('06092a864886f70d010701', 'hex'); // 1.2.840.113549.1.7.1

/**
 * A "certs-only" PKCS#7 (RFC 2315 degenerate SignedData): version 1, no digest algorithms, empty
 * data content, the certificate, no signer infos.
 */
export function pkcs7Der(certDer: Buffer): Buffer {
  const signedData = tlv(
    0x30,
    Buffer.from('020101', 'hex'),
    Buffer.from('3100', 'hex'),
    tlv(0x30, OID_DATA),
    tlv(0xa0, certDer),
    Buffer.from('3100', 'hex'),
  );
  return tlv(0x30, OID_SIGNED_DATA, tlv(0xa0, signedData));
}

export function certFacts(certPem: string): CertFacts {
  const der = fromPem(certPem);
  const sha1 = createHash('sha1').update(der).digest();
  const hex = sha1.toString('hex').toUpperCase();
  const parsed = new X509Certificate(der);
  return {
    der: der.toString('base64'),
    pkcs7: auth0Pem(toPem('PKCS7', pkcs7Der(der))),
    fingerprint: hex.match(/../g)!.join(':'),
    thumbprint: hex,
    x5t: sha1.toString('base64url'),
    subject: `/${parsed.subject.replace(/\n/g, '/')}`,
    notAfter: new Date(parsed.validTo),
  };
}

/** PEM with CRLF line breaks and no trailing newline, the way Auth0 returns certificates. */
export function auth0Pem(pem: string): string {
  return pem.trim().split(/\r?\n/).join('\r\n');
}

export function toPem(label: string, der: Buffer): string {
  const body = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

export function fromPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
