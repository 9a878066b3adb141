// Login sessions (the cookie that lets /authorize answer without asking again): 256 random bits in
// a __Host- cookie, only its digest in the database, ended by logout, by the tenant's absolute
// lifetime (session_lifetime, hours, default 168) or after idle_session_lifetime (default 72)
// without use — Auth0's defaults. A blocked or deleted user has no session.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../domain/clock.ts';
import { newOpaqueToken, opaqueDigest } from '../../domain/opaque.ts';
import type { Tenant } from '../../domain/tenant.ts';
import type { LoginSessionRecord, Storage, UserRecord } from '../../storage/ports.ts';

const HOUR_MS = 3_600_000;
/** Activity is written at most once a minute per session. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionDeps {
  storage: Storage;
  clock: Clock;
}

export interface LiveSession {
  record: LoginSessionRecord;
  user: UserRecord;
}

function hours(tenant: Tenant, key: string, fallback: number): number {
  const value = tenant.settings[key];
  return typeof value === 'number' && value > 0 ? value : fallback;
}

export function sessionLifetimeMs(tenant: Tenant): { absolute: number; idle: number } {
  return { absolute: hours(tenant, 'session_lifetime', 168) * HOUR_MS, idle: hours(tenant, 'idle_session_lifetime', 72) * HOUR_MS };
}

export async function loadSession(tenant: Tenant, cookie: string | undefined, deps: SessionDeps): Promise<LiveSession | undefined> {
  if (cookie === undefined || cookie.length > 100) return undefined;
  const idHash = opaqueDigest(cookie);
  const record = await deps.storage.loginSessions.get(tenant.id, idHash);
  if (!record) return undefined;
  const now = deps.clock.now();
  const lastSeen = Date.parse(record.lastSeenAt);
  if (now >= Date.parse(record.expiresAt) || now >= lastSeen + sessionLifetimeMs(tenant).idle) {
    await deps.storage.loginSessions.remove(tenant.id, idHash);
    return undefined;
  }
  const user = await deps.storage.users.get(tenant.id, record.userId);
  if (!user || user.blocked) return undefined;
  if (now - lastSeen >= TOUCH_EVERY_MS) await deps.storage.loginSessions.touch(tenant.id, idHash, new Date(now).toISOString());
  return { record, user };
}

/** A new session after a login: always a fresh value (never the one the browser had, T-UI-02). */
export async function startSession(tenant: Tenant, user: UserRecord, deps: SessionDeps): Promise<{ cookie: string; record: LoginSessionRecord }> {
  const cookie = newOpaqueToken();
  const now = deps.clock.now();
  const iso = new Date(now).toISOString();
  const record: LoginSessionRecord = {
    tenantId: tenant.id,
    idHash: opaqueDigest(cookie),
    sid: randomBytes(16).toString('base64url'),
    userId: user.userId,
    authTime: iso,
    createdAt: iso,
    lastSeenAt: iso,
    expiresAt: new Date(now + sessionLifetimeMs(tenant).absolute).toISOString(),
  };
  await deps.storage.loginSessions.create(record);
  return { cookie, record };
}

export async function endSession(tenant: Tenant, cookie: string | undefined, deps: SessionDeps): Promise<LoginSessionRecord | undefined> {
  if (cookie === undefined || cookie.length > 100) return undefined;
  const idHash = opaqueDigest(cookie);
  const record = await deps.storage.loginSessions.get(tenant.id, idHash);
  await deps.storage.loginSessions.remove(tenant.id, idHash);
  return record;
}
