// A login transaction: an /authorize request waiting while the user logs in on our page. Its id
// travels in the page (`?state=`); it is bound to the browser that started it by a second
// __Host- cookie, so a login form posted from anywhere else — login CSRF (T-UI-06) — finds no
// transaction. The parameters the checks read (and only those, each bounded) are kept and checked
// again when the login completes, so a client changed in the meantime is judged as it is then.
// Anyone can start one, so a transaction lives UNTOUCHED_TTL_MS until its browser first comes
// back to it (the login page, at once for a real browser), then TRANSACTION_TTL_MS from its start;
// expired ones are pruned in the background (runtime.ts) — T-OUT-08.
import { randomBytes } from 'node:crypto';
import { opaqueDigest } from '../../domain/opaque.ts';
import type { Tenant } from '../../domain/tenant.ts';
import type { SessionDeps } from './session.ts';
import type { RawParams } from './request.ts';

export const UNTOUCHED_TTL_MS = 5 * 60_000;
export const TRANSACTION_TTL_MS = 30 * 60_000;

export async function startTransaction(tenant: Tenant, params: RawParams, browser: string, deps: SessionDeps): Promise<string> {
  const id = randomBytes(24).toString('base64url'); // matches TRANSACTION_ID
  const now = deps.clock.now();
  await deps.storage.loginTransactions.create({
    tenantId: tenant.id,
    id,
    browserHash: opaqueDigest(browser),
    request: Object.fromEntries(params),
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + UNTOUCHED_TTL_MS).toISOString(),
  });
  return id;
}

/**
 * The transaction's parameters, if it exists, is live and belongs to this browser; its first
 * return gives it the full lifetime.
 */
const TRANSACTION_ID = /^[A-Za-z0-9_-]{32}$/;

export async function loadTransaction(tenant: Tenant, id: string | undefined, browser: string | undefined, deps: SessionDeps): Promise<RawParams | undefined> {
  // Ids are ours (24 random bytes, base64url): anything else names no transaction and never reaches
  // the database (a NUL in `state` made PostgreSQL refuse the query: a 500).
  if (id === undefined || browser === undefined || !TRANSACTION_ID.test(id) || browser.length > 100) return undefined;
  const record = await deps.storage.loginTransactions.get(tenant.id, id);
  if (!record || deps.clock.now() >= Date.parse(record.expiresAt) || record.browserHash !== opaqueDigest(browser)) return undefined;
  const full = new Date(Date.parse(record.createdAt) + TRANSACTION_TTL_MS).toISOString();
  if (record.expiresAt < full) await deps.storage.loginTransactions.touch(tenant.id, id, full);
  return new Map(Object.entries(record.request).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export async function finishTransaction(tenant: Tenant, id: string, deps: SessionDeps): Promise<void> {
  await deps.storage.loginTransactions.remove(tenant.id, id);
}
