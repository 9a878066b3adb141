// What every answer must be, whatever was sent (issue 9, S11; docs/style.md §4 "one error renderer per
// audience"): never a 5xx; an error in its audience's shape — the Management API's (and every
// other JSON endpoint's) {statusCode, error, message, errorCode?, attributes?}, the Authentication
// API's {error, error_description, error_uri?}, an HTML page on the browser pages; JSON that parses.
import { reasonPhrase } from '../../src/management/errors.ts';

export type Family = 'management' | 'oauth' | 'page' | 'other';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

const DASHBOARD_FILES = /^\/dashboard\/(config\.json$|assets\/)/;

/** Which renderer answers a request, from the route it reaches (http/app.ts, browser.ts, dashboard.ts). */
export function familyFor(method: string, url: string): Family {
  const path = url.split('?', 1)[0]!;
  const read = method === 'GET' || method === 'HEAD';
  if (path.startsWith('/api/')) return 'management';
  if (path.startsWith('/oauth/')) return 'oauth';
  if (path === '/userinfo' && (read || method === 'POST')) return 'oauth';
  if (path === '/authorize') return 'page';
  if ((path === '/u/login' || path === '/u/signup') && (read || method === 'POST')) return 'page';
  if (!read) return 'other';
  if (path === '/v2/logout' || path === '/dashboard' || path === '/explorer' || path.startsWith('/explorer/')) return 'page';
  if (path.startsWith('/dashboard/') && !DASHBOARD_FILES.test(path)) return 'page';
  return 'other';
}

function json(body: string): Record<string, unknown> | string {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : 'not a JSON object';
  } catch {
    return 'not JSON';
  }
}

const only = (value: Record<string, unknown>, keys: readonly string[]): string[] => Object.keys(value).filter((k) => !keys.includes(k));

function managementShape(a: Answer): string[] {
  const body = json(a.body);
  if (typeof body === 'string') return [`error body is ${body}: ${a.body.slice(0, 120)}`];
  const out: string[] = [];
  const extra = only(body, ['statusCode', 'error', 'message', 'errorCode', 'attributes']);
  if (extra.length) out.push(`error body has ${extra.join(', ')}`);
  if (body.statusCode !== a.status) out.push(`statusCode ${String(body.statusCode)} on a ${a.status}`);
  if (body.error !== reasonPhrase(a.status)) out.push(`error "${String(body.error)}" on a ${a.status}`);
  if (typeof body.message !== 'string') out.push('message is not a string');
  if (body.errorCode !== undefined && typeof body.errorCode !== 'string') out.push('errorCode is not a string');
  return out;
}

function oauthShape(a: Answer): string[] {
  const body = json(a.body);
  if (typeof body === 'string') return [`OAuth error body is ${body}: ${a.body.slice(0, 120)}`];
  const out: string[] = [];
  const extra = only(body, ['error', 'error_description', 'error_uri']);
  if (extra.length) out.push(`OAuth error body has ${extra.join(', ')}`);
  if (typeof body.error !== 'string' || body.error === '') out.push('OAuth error without error');
  if (typeof body.error_description !== 'string') out.push('OAuth error without error_description');
  return out;
}

/**
 * What the server answers a request it could not parse as HTTP at all (http/errors.ts
 * writeClientError: raw bytes in the request line, headers over 16 KiB): no route is known, so one
 * JSON body for every path, and the connection closes.
 */
const UNPARSEABLE = new Set([
  '{"statusCode":400,"error":"Bad Request","message":"Malformed HTTP request"}',
  '{"statusCode":431,"error":"Request Header Fields Too Large","message":"Request headers are too large"}',
]);

/** Everything wrong with `answer` to `method url` (empty: nothing); `raw`: the request is not valid HTTP. */
export function problems(method: string, url: string, answer: Answer, raw = false): string[] {
  const out: string[] = [];
  if (raw && UNPARSEABLE.has(answer.body) && answer.headers.connection === 'close') return out;
  const type = String(answer.headers['content-type'] ?? '');
  if (answer.status >= 500) out.push(`${answer.status}: ${answer.body.slice(0, 200)}`);
  if (method === 'HEAD' || answer.status < 400) {
    if (method !== 'HEAD' && type.startsWith('application/json') && answer.body !== '' && json(`{"v":${answer.body}}`) === 'not JSON') out.push('a JSON answer that does not parse');
    return out;
  }
  if (/Maximum call stack|RangeError|TypeError|SyntaxError: /.test(answer.body)) out.push(`internal error text in the body: ${answer.body.slice(0, 200)}`);
  const family = familyFor(method, url);
  if (family === 'page') {
    if (type !== 'text/html; charset=utf-8' || !/<html[\s>]/i.test(answer.body)) out.push(`a page answered ${answer.status} with ${type || 'no type'}: ${answer.body.slice(0, 120)}`);
    return out;
  }
  if (!type.startsWith('application/json')) out.push(`a ${family} error answered with ${type || 'no type'}`);
  return [...out, ...(family === 'oauth' ? oauthShape(answer) : managementShape(answer))];
}
