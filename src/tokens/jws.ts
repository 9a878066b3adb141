// Compact JWS, strictly. Signing is a few lines over node:crypto (the hot path); parsing refuses
// everything RFC 8725bis calls format confusion: not exactly three segments, characters outside
// base64url, non-canonical encodings (GHSA-hxm8-2xgr-2p9m), JSON serialization (CVE-2022-39227),
// duplicate members (RFC 7519 §4), non-object header or payload.
import { availableParallelism } from 'node:os';
import { createHmac, sign as rsaSign, type KeyObject } from 'node:crypto';
import { parseStrictJson } from './strict-json.ts';

export type JsonObject = Record<string, unknown>;

export interface ParsedJws {
  header: JsonObject;
  payload: JsonObject;
  /** ASCII bytes of `header.payload`, what the signature covers. */
  signingInput: Buffer;
  signature: Buffer;
}

/** The reason a token was refused before any key was tried. */
export class MalformedToken extends Error {
  override name = 'MalformedToken';
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** A token carrying every Management API scope is about 11 KB; Node refuses request headers over 16 KB anyway. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

function b64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function signRs256(header: JsonObject, payload: JsonObject, key: KeyObject): string {
  const input = `${b64urlJson(header)}.${b64urlJson(payload)}`;
  return `${input}.${rsaSign('sha256', Buffer.from(input, 'ascii'), key).toString('base64url')}`;
}

/**
 * Whether RS256 signatures are made on libuv's threadpool rather than on the event loop. A
 * signature is ~60 % of a token's CPU; off the loop, one process uses every core it may run on
 * (bench/README.md, "Signing on the threadpool"). With one CPU to run on (a container limited
 * to one, or `taskset -c 0`) there is nothing to gain and the hand-off would only cost, so the
 * event loop signs. `availableParallelism()` follows the process's CPU affinity.
 */
export const SIGNS_OFF_LOOP = availableParallelism() > 1;

/** `signRs256`, on libuv's threadpool when the process may use more than one CPU. */
export function signRs256Async(header: JsonObject, payload: JsonObject, key: KeyObject): Promise<string> {
  if (!SIGNS_OFF_LOOP) return Promise.resolve(signRs256(header, payload, key));
  const input = `${b64urlJson(header)}.${b64urlJson(payload)}`;
  return new Promise((resolve, reject) => {
    rsaSign('sha256', Buffer.from(input, 'ascii'), key, (error, signature) => (error ? reject(error) : resolve(`${input}.${signature.toString('base64url')}`)));
  });
}

export function signHs256(header: JsonObject, payload: JsonObject, secret: Buffer): string {
  const input = `${b64urlJson(header)}.${b64urlJson(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input, 'ascii').digest('base64url')}`;
}

/** Decodes one base64url segment, refusing any text that does not re-encode to itself. */
function decodeSegment(text: string, what: string): Buffer {
  if (!SEGMENT.test(text)) throw new MalformedToken(`${what} is not base64url`);
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new MalformedToken(`${what} is not canonical base64url`);
  return bytes;
}

function decodeObject(text: string, what: string): JsonObject {
  const bytes = decodeSegment(text, what);
  let value: unknown;
  try {
    value = parseStrictJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new MalformedToken(`${what} is not a JSON object: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new MalformedToken(`${what} is not a JSON object`);
  return value as JsonObject;
}

/** True when `token` has the shape of a compact JWS (three dot-separated segments). */
export function looksLikeJws(token: string): boolean {
  return token.split('.').length === 3;
}

export function parseJws(token: string): ParsedJws {
  if (token.length > MAX_TOKEN_LENGTH) throw new MalformedToken('token is too long');
  const parts = token.split('.');
  if (parts.length !== 3) throw new MalformedToken('a JWS has exactly three segments');
  const [h, p, s] = parts as [string, string, string];
  const header = decodeObject(h, 'header');
  const payload = decodeObject(p, 'payload');
  const signature = decodeSegment(s, 'signature');
  return { header, payload, signingInput: Buffer.from(`${h}.${p}`, 'ascii'), signature };
}
