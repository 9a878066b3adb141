// What the fuzzer sends, before the server's values are filled in: a request as text with
// placeholders (values.ts), and how its body is encoded. Shared by the Management API and the
// Authentication API generators; target.ts turns a Spec into bytes on the wire.
import fc from 'fast-check';
import { encodeText, toJson, type J, Obj } from './values.ts';

export interface Spec {
  /** Coverage label: the operation as documented (`PATCH /users/{id}`, `POST /oauth/token refresh_token`). */
  op: string;
  method: string;
  /** Path and query string, percent-encoded, placeholders included. */
  url: string;
  headers: Record<string, string>;
  body?: { text: string; contentType?: string } | { bytes: number[]; contentType?: string };
  /** On a real socket, send %80-%FF escapes of the URL as raw bytes (invalid UTF-8 in the request line). */
  rawBytes?: boolean;
}

export type Encoding = 'json' | 'form' | 'text/plain' | 'none-type' | 'charset' | 'garbage' | 'empty' | 'null';

export const encodings: fc.Arbitrary<Encoding> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Encoding>('json') },
  { weight: 2, arbitrary: fc.constant<Encoding>('form') },
  { weight: 1, arbitrary: fc.constantFrom<Encoding>('text/plain', 'none-type', 'charset', 'garbage', 'empty', 'null') },
);

/** Bytes that are not UTF-8 (and a BOM), for bodies that claim to be JSON. */
const GARBAGE: number[][] = [[0xff, 0xfe, 0x7b, 0x7d], [0xc3, 0x28], [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d], [0xef, 0xbb, 0xbf, 0x7b, 0x7d], [0x7b, 0x22, 0x61, 0x22, 0x3a]];

/** A body in one of the encodings a client might (mis)use; forms flatten the top level. */
export function encodeBody(value: J, encoding: Encoding, pick: number): Spec['body'] {
  switch (encoding) {
    case 'json':
      return { text: toJson(value), contentType: 'application/json' };
    case 'form': {
      const members = value instanceof Obj ? value.members : [['value', value] as [string, J]];
      const text = members.map(([k, v]) => `${encodeText(k)}=${encodeText(typeof v === 'string' ? v : toJson(v))}`).join('&');
      return { text, contentType: 'application/x-www-form-urlencoded' };
    }
    case 'text/plain':
      return { text: toJson(value), contentType: 'text/plain' };
    case 'none-type':
      return { text: toJson(value) };
    case 'charset':
      return { text: toJson(value), contentType: 'application/json; charset=utf-16' };
    case 'garbage':
      return { bytes: GARBAGE[pick % GARBAGE.length]!, contentType: 'application/json' };
    case 'empty':
      return { text: '', contentType: 'application/json' };
    case 'null':
      return { text: 'null', contentType: 'application/json' };
  }
}

/** `name=value` pairs as a query string (values already encoded). */
export const queryString = (pairs: [string, string][]): string => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`);
