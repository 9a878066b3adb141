// Identifier and secret generation. Every value comes from the CSPRNG (RFC 6749 §10.10:
// guessing probability ≤ 2^-128); formats follow what Auth0 emits (spec §8).
import { randomBytes, randomFillSync, randomInt } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias). */
export function randomString(length: number, alphabet: string = ALNUM): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** 32 alphanumerics (~190 bits), like Auth0 client ids. */
export const newClientId = (): string => randomString(32);

/** 64 URL-safe characters (384 bits), not base64-padded, like Auth0 client secrets. */
export const newClientSecret = (): string => randomBytes(48).toString('base64url');

/** `cgr_` + 16 alphanumerics, like Auth0 client grant ids. */
export const newGrantId = (): string => `cgr_${randomString(16)}`;

/** 24 hex characters (an ObjectId-shaped id), like Auth0 resource server ids. */
export const newResourceServerId = (): string => randomBytes(12).toString('hex');

/** `auth0|` + 24 lowercase hex characters (an ObjectId-shaped id), like Auth0 database users. */
export const newUserId = (): string => `auth0|${randomBytes(12).toString('hex')}`;

/** `con_` + 16 alphanumerics, like Auth0 connection ids. */
export const newConnectionId = (): string => `con_${randomString(16)}`;

/** `dcr_` + 16 alphanumerics, like Auth0 device credential ids. */
export const newDeviceCredentialId = (): string => `dcr_${randomString(16)}`;

/** A token minted from the dashboard (its record, not the token: issue #5). */
export const newMintedTokenId = (): string => `mtk_${randomString(16)}`;

/** 21 alphanumerics, like Auth0 signing key ids. */
export const newKid = (): string => randomString(21);

// Token ids are drawn from a pool refilled 4 KiB at a time: one CSPRNG call per 256 tokens
// instead of one per token (the token endpoint is a hot path).
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** 128-bit token id in hex. */
export function newJti(): string {
  if (poolOffset + 16 > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const id = pool.toString('hex', poolOffset, poolOffset + 16);
  poolOffset += 16;
  return id;
}

/** Tenant ids are internal; a readable prefix helps in logs. */
export const newTenantId = (): string => `ten_${randomString(20)}`;

/** Auth0's log stream ids: `lst_` and 16 digits. */
export const newLogStreamId = (): string => `lst_${randomString(16, '0123456789')}`;
