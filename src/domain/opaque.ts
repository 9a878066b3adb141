// Opaque secrets handed to browsers (session cookies, authorization codes, refresh tokens): 256
// random bits, and stored only as their SHA-256 digest (T-PK-11), so a database dump holds nothing
// that can be presented. The digest is the lookup key, so comparing it is an index lookup.
import { createHash, randomBytes } from 'node:crypto';

export const newOpaqueToken = (): string => randomBytes(32).toString('base64url');

export const opaqueDigest = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url');
