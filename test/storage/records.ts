// Plain records for the storage suites: every field set, so a round trip can be compared whole.
import { randomBytes } from 'node:crypto';
import type { ClientData } from '../../src/schemas/client.ts';
import type { ResourceServerData } from '../../src/schemas/resource-server.ts';
import type {
  ClientGrantRecord,
  ClientRecord,
  ConnectionRecord,
  DeviceCredentialRecord,
  ResourceServerRecord,
  SigningKeyRecord,
  Storage,
  TenantRecord,
  UserRecord,
} from '../../src/storage/ports.ts';

const unique = (): string => randomBytes(6).toString('hex');

/** ISO-8601 timestamps with milliseconds, the stored format; `n` seconds after a fixed instant. */
export const at = (n: number): string => new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();

export function tenantRecord(overrides: Partial<TenantRecord> = {}): TenantRecord {
  const id = overrides.id ?? `ten_${unique()}`;
  return { id, name: `tenant ${id}`, domain: `${id}.example.test`, isDefault: false, settings: { friendly_name: id, flags: { a: true } }, createdAt: at(0), ...overrides };
}

export function clientData(clientId: string, overrides: Partial<ClientData> = {}): ClientData {
  return {
    client_id: clientId,
    tenant: 't',
    global: false,
    name: `app ${clientId}`,
    callback_url_template: false,
    app_type: 'non_interactive',
    is_first_party: true,
    grant_types: ['client_credentials'],
    callbacks: ['https://app.example/cb'],
    client_metadata: { team: 'blue' },
    ...overrides,
  };
}

export function clientRecord(tenantId: string, overrides: Partial<ClientRecord> = {}): ClientRecord {
  const clientId = overrides.clientId ?? `c${unique()}`;
  return {
    tenantId,
    clientId,
    data: clientData(clientId),
    secretSealed: `v1.k.${unique()}`,
    secretMac: randomBytes(32).toString('base64'),
    previousSecretMac: null,
    previousSecretExpiresAt: null,
    secretLastUsed: null,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

export function grantRecord(tenantId: string, clientId: string, overrides: Partial<ClientGrantRecord> = {}): ClientGrantRecord {
  return {
    tenantId,
    id: `cgr_${unique()}`,
    clientId,
    audience: 'https://api.example/',
    subjectType: 'client',
    scope: ['read:things', 'write:things'],
    extra: { organization_usage: 'deny' },
    createdAt: at(0),
    ...overrides,
  };
}

export function apiData(id: string, identifier: string, overrides: Partial<ResourceServerData> = {}): ResourceServerData {
  return {
    id,
    identifier,
    name: `api ${id}`,
    scopes: [{ value: 'read:things', description: 'Read things' }],
    signing_alg: 'RS256',
    allow_offline_access: false,
    token_lifetime: 86400,
    token_lifetime_for_web: 7200,
    skip_consent_for_verifiable_first_party_clients: true,
    ...overrides,
  };
}

export function apiRecord(tenantId: string, overrides: Partial<ResourceServerRecord> = {}): ResourceServerRecord {
  const id = overrides.id ?? unique() + unique();
  const identifier = overrides.identifier ?? `https://api-${id}.example/`;
  return { tenantId, id, identifier, isSystem: false, data: apiData(id, identifier), signingSecretSealed: null, createdAt: at(0), ...overrides };
}

export function keyRecord(tenantId: string, overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    tenantId,
    kid: `kid${unique()}`,
    alg: 'RS256',
    state: 'next',
    privateSealed: `v1.k.${unique()}`,
    publicJwk: { kty: 'RSA', n: unique(), e: 'AQAB' },
    cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    createdAt: at(0),
    currentSince: null,
    currentUntil: null,
    revokedAt: null,
    ...overrides,
  };
}

/** A stored tenant (rows of every other table belong to one). */
export async function seedTenant(storage: Storage, overrides: Partial<TenantRecord> = {}): Promise<TenantRecord> {
  const t = tenantRecord(overrides);
  await storage.tenants.create(t);
  return t;
}

/** A stored client of `tenantId`. */
export async function seedClient(storage: Storage, tenantId: string, overrides: Partial<ClientRecord> = {}): Promise<ClientRecord> {
  const c = clientRecord(tenantId, overrides);
  await storage.clients.create(c);
  return c;
}

export function connectionRecord(tenantId: string, overrides: Partial<ConnectionRecord> = {}): ConnectionRecord {
  const name = overrides.name ?? `db-${unique()}`;
  return {
    tenantId,
    id: `con_${unique()}${unique()}`.slice(0, 20),
    name,
    strategy: 'auth0',
    data: { options: { requires_username: true, passwordPolicy: 'fair' }, realms: [name], enabled_clients: ['c1'] },
    createdAt: at(0),
    ...overrides,
  };
}

/** A stored database connection of `tenantId` (users belong to one). */
export async function seedConnection(storage: Storage, tenantId: string, overrides: Partial<ConnectionRecord> = {}): Promise<ConnectionRecord> {
  const c = connectionRecord(tenantId, overrides);
  await storage.connections.create(c);
  return c;
}

/** A user's own fields when nothing is given: every optional field empty, every flag false (fresh objects each call). */
export function blankUser(): Omit<UserRecord, 'tenantId' | 'userId' | 'connection' | 'createdAt' | 'updatedAt'> {
  return {
    email: null,
    emailVerified: false,
    username: null,
    phoneNumber: null,
    phoneVerified: false,
    name: null,
    nickname: null,
    givenName: null,
    familyName: null,
    picture: null,
    blocked: false,
    userMetadata: {},
    appMetadata: {},
    linkedIdentities: [],
    passwordHash: null,
    lastPasswordReset: null,
    lastLogin: null,
    lastIp: null,
    loginsCount: 0,
  };
}

/** A user with every field set (nothing null, nothing default), so a round trip compares whole. */
export function userRecord(tenantId: string, connection: string, overrides: Partial<UserRecord> = {}): UserRecord {
  const id = unique();
  return {
    tenantId,
    userId: `auth0|${id}${unique()}`,
    connection,
    email: `User.${id}@Example.COM`,
    emailVerified: true,
    username: `User_${id}`,
    phoneNumber: '+15551234567',
    phoneVerified: true,
    name: `Ada ${id}`,
    nickname: `ada${id}`,
    givenName: 'Ada',
    familyName: 'Lovelace',
    picture: 'https://example.com/ada.png',
    blocked: true,
    userMetadata: { theme: 'dark', prefs: { size: 13, tags: ['a', 'b'] } },
    appMetadata: { plan: 'gold', roles: ['admin'], active: false },
    linkedIdentities: [{ connection: 'google-oauth2', user_id: `g${id}`, provider: 'google-oauth2', isSocial: true, profileData: { email: 'x@gmail.com' } }],
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    lastPasswordReset: at(5),
    lastLogin: at(6),
    lastIp: '203.0.113.7',
    loginsCount: 7,
    createdAt: at(1),
    updatedAt: at(2),
    ...overrides,
  };
}

/** A stored user of `tenantId` in `connection` (which must exist). */
export async function seedUser(storage: Storage, tenantId: string, connection: string, overrides: Partial<UserRecord> = {}): Promise<UserRecord> {
  const u = userRecord(tenantId, connection, overrides);
  await storage.users.create(u);
  return u;
}

export function deviceCredentialRecord(tenantId: string, userId: string, clientId: string, overrides: Partial<DeviceCredentialRecord> = {}): DeviceCredentialRecord {
  return {
    tenantId,
    id: `dcr_${unique()}`,
    userId,
    clientId,
    deviceName: 'iPhone',
    deviceId: `dev-${unique()}`,
    type: 'public_key',
    value: 'LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0',
    createdAt: at(0),
    ...overrides,
  };
}
