// Steps and assertions shared by the /authorize, login-page and user-grant tests: log a user in
// through the real pages, exchange a code, read our HTML pages (error page, form_post,
// web_message) and their headers exactly.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { LightMyRequestResponse } from 'fastify';
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { expect } from 'vitest';
import { escapeHtml } from '../../src/login/html.ts';
import { authorizeUrl, loginState, type TestBrowser } from './browser.ts';
import type { TestServer } from './test-server.ts';

export const CB = 'https://app.example.com/cb';
export const HTML = 'text/html; charset=utf-8';

/** GET /authorize, then our login form posted with the user's credentials; the form's answer. */
export async function loginThrough(browser: TestBrowser, params: Record<string, string>, user: { email: string; password: string }): Promise<LightMyRequestResponse> {
  const state = loginState(await browser.get(authorizeUrl(params)));
  return browser.post('/u/login', { state, username: user.email, password: user.password });
}

/** POST /oauth/token, form-encoded as spa-js sends it. */
export function postToken(s: TestServer, fields: Record<string, string>, headers: Record<string, string> = {}, remoteAddress?: string): Promise<LightMyRequestResponse> {
  return s.inject({
    method: 'POST',
    url: '/oauth/token',
    ...(remoteAddress !== undefined && { remoteAddress }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(fields).toString(),
  });
}

/** The OAuth error body, exactly. */
export function expectOAuthError(res: LightMyRequestResponse, status: number, error: string, description: string): void {
  expect({ status: res.statusCode, body: res.json<unknown>() }).toStrictEqual({ status, body: { error, error_description: description } });
}

export function jwt(token: string): { header: Record<string, unknown>; claims: JWTPayload & Record<string, unknown> } {
  return { header: decodeProtectedHeader(token), claims: decodeJwt<Record<string, unknown>>(token) };
}

/** The CSP nonce of a page (the same in its header and its tags). */
export function nonceOf(res: LightMyRequestResponse): string {
  const match = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(String(res.headers['content-security-policy']));
  if (!match) throw new Error(`no nonce in ${String(res.headers['content-security-policy'])}`);
  return match[1]!;
}

/**
 * T-UI-07/08/11, T-AZ-10, RFC 9700 §4.2/§4.16: the headers every one of our pages carries. A
 * web_message page may be framed by the application's origin only (and then has no
 * X-Frame-Options, which cannot name an origin); a page handing a result over may post to it.
 */
export function expectPageHeaders(res: LightMyRequestResponse, options: { frameAncestor?: string; formAction?: string } = {}): void {
  const nonce = nonceOf(res);
  expect(res.headers['content-type']).toBe(HTML);
  expect(res.headers['content-security-policy']).toBe(
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' https: data:; ` +
      `form-action 'self'${options.formAction ? ` ${options.formAction}` : ''}; frame-ancestors ${options.frameAncestor ?? "'none'"}; base-uri 'none'`,
  );
  expect(res.headers['x-frame-options']).toBe(options.frameAncestor === undefined ? 'DENY' : undefined);
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers.pragma).toBe('no-cache');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['access-control-allow-origin']).toBeUndefined();
  // T-UI-08: no inline event handlers, no javascript: URLs; every script and style carries the nonce.
  for (const tag of res.body.match(/<[a-z][^>]*>/gi) ?? []) {
    expect(tag.replace(/"[^"]*"/g, '""')).not.toMatch(/\son[a-z]+\s*=/i);
    expect(tag).not.toMatch(/=\s*"\s*javascript:/i);
  }
  for (const tag of res.body.match(/<(script|style)\b[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${nonce}"`);
}

/** The inside of a layout page's <main>. */
export function mainOf(body: string): string {
  const match = /<main>\n([\s\S]*)\n<\/main>/.exec(body);
  if (!match) throw new Error(`not one of our layout pages: ${body.slice(0, 300)}`);
  return match[1]!;
}

/**
 * "Rejected" (security catalogue §4.7): our error page with this status, title and sentence (both
 * escaped), our page headers, no Location and no cookie carrying a new session.
 */
export function expectErrorPage(res: LightMyRequestResponse, status: number, title: string, description: string): void {
  expect({ status: res.statusCode, location: res.headers.location, main: mainOf(res.body) }).toStrictEqual({
    status,
    location: undefined,
    main: `<h1>${escapeHtml(title)}</h1><p class="sub">${escapeHtml(description)}</p>`,
  });
  expect(res.body).toContain(`<title>${escapeHtml(title)}</title>`);
  expectPageHeaders(res);
  expect(String(res.headers['set-cookie'] ?? '')).not.toMatch(/__Host-scopeward_session=[^;]/);
}

export const CALLBACK_MISMATCH = ['Callback URL mismatch', 'Callback URL mismatch. The provided redirect_uri is not in the list of allowed callback URLs.'] as const;

/** The hidden fields and action of a form_post page. */
export function formPostOf(body: string): { action: string; fields: Record<string, string> } {
  const action = /<form method="post" action="([^"]*)">/.exec(body)?.[1];
  if (action === undefined) throw new Error(`not a form_post page: ${body.slice(0, 300)}`);
  const unescape = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const fields: Record<string, string> = {};
  for (const m of body.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescape(m[1]!)] = unescape(m[2]!);
  return { action: unescape(action), fields };
}

/** The message and target origin a web_message page posts, read from its script literals. */
export function webMessageOf(body: string): { message: { type: string; response: Record<string, string> }; targetOrigin: string } {
  const match = /target\.postMessage\(\{ type: "authorization_response", response: (\{.*\}) \}, ("[^"]*")\);/.exec(body);
  if (!match) throw new Error(`not a web_message page: ${body.slice(0, 300)}`);
  return { message: { type: 'authorization_response', response: JSON.parse(match[1]!) as Record<string, string> }, targetOrigin: JSON.parse(match[2]!) as string };
}

/** A fresh SQLite file for a test server whose tables a test reads directly (T-PK-11, "nothing issued"). */
export function sqliteFile(): { url: string; file: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-az-'));
  const file = path.join(dir, 'db.sqlite');
  return { url: `sqlite:${file}`, file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every row of `table`, read with a second, read-only connection. */
export function rowsOf(file: string, table: 'auth_codes' | 'refresh_tokens' | 'login_sessions' | 'login_transactions'): Record<string, unknown>[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(`select * from ${table}`).all();
  } finally {
    db.close();
  }
}
