// Plain records for the storage suites: every field set, so a round trip can be compared whole.
import { randomBytes } from 'node:crypto';
import type { ClientData } from '../../src/schemas/client.ts';
import type { ResourceServerData } from '../../src/schemas/resource-server.ts';
import type { ClientGrantRecord, ClientRecord, ResourceServerRecord, SigningKeyRecord, Storage, TenantRecord } from '../../src/storage/ports.ts';

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
