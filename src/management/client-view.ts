// How a stored client becomes a wire object: which fields the token's scopes may see (spec
// §3.5.1 field visibility) and the defaults Auth0 fills in on create.
import { auth0Pem } from '../crypto/cert-facts.ts';
import type { Envelope } from '../crypto/envelope.ts';
import { clientSecretLocation } from '../domain/secret-locations.ts';
import type { ClientCreate, ClientData } from '../schemas/client.ts';
import type { ClientRecord } from '../storage/ports.ts';
import type { KeyRing } from '../tokens/keys.ts';
import type { AuthContext } from './route.ts';
import type { SecretField } from './secret-fields.ts';

/** Any Client read scope (read:client_summary included) shows these. */
const SUMMARY_FIELDS = new Set(['client_id', 'app_type', 'name', 'description']);

export interface Visibility {
  config: boolean;
  /** signing_keys (public certificates). */
  credentials: boolean;
  /** client_secret. */
  secret: boolean;
}

/**
 * Reads (spec §3.5.1): configuration with read:clients, read:client_keys or read:client_credentials;
 * signing_keys with read:client_keys or read:client_credentials; client_secret only where the call
 * may see it (`secrets`, decided once for every route in secret-fields.ts: read:client_keys, the
 * stricter reading, decision 0001).
 */
export function readVisibility(auth: AuthContext, secrets: ReadonlySet<SecretField>): Visibility {
  const credentials = auth.has('read:client_keys') || auth.has('read:client_credentials');
  return { config: credentials || auth.has('read:clients'), credentials, secret: secrets.has('client_secret') };
}

/** Create, update and rotate answer with the whole client (Auth0), its secret where the call may see it. */
export function writeVisibility(secrets: ReadonlySet<SecretField>): Visibility {
  return { config: true, credentials: true, secret: secrets.has('client_secret') };
}

/**
 * Beyond Auth0: while an old secret is still accepted after a rotation, when it stops; and which
 * secret last authenticated, and when (recorded every few seconds).
 */
function secretRotation(record: ClientRecord, now: number): Record<string, string> | undefined {
  const expires = record.previousSecretExpiresAt;
  const inGrace = expires !== null && expires !== undefined && Date.parse(expires) > now;
  // Uses are kept per secret (by MAC): a rotation leaves the new secret with none.
  const usedAt = (mac: string | null | undefined) => (mac ? record.secretLastUsed?.find((u) => u.mac === mac)?.at : undefined);
  const current = usedAt(record.secretMac);
  const previous = inGrace ? usedAt(record.previousSecretMac) : undefined;
  const last = previous !== undefined && (current === undefined || previous > current) ? { secret: 'previous', at: previous } : current !== undefined ? { secret: 'current', at: current } : undefined;
  if (!inGrace && !last) return undefined;
  return {
    ...(inGrace && { previous_secret_expires_at: expires }),
    ...(last && { last_used_secret: last.secret, last_used_at: last.at }),
    ...(current !== undefined && { current_secret_last_used_at: current }),
    ...(previous !== undefined && { previous_secret_last_used_at: previous }),
  };
}

/**
 * Stored beside the Auth0 fields but never part of an answer (issue 12, E3): a tool that writes
 * back what it read (the Deploy CLI) would send it and be refused. The dashboard knows its own
 * application from /dashboard/config.json (`client_id`).
 */
const STORED_ONLY = new Set(['scopeward_system']);

export function renderClient(record: ClientRecord, visibility: Visibility, envelope: Envelope, keys: KeyRing | undefined, now: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record.data)) {
    if (STORED_ONLY.has(k)) continue;
    if (visibility.config || SUMMARY_FIELDS.has(k)) out[k] = v;
  }
  if (visibility.secret && record.secretSealed) out.client_secret = envelope.open(record.secretSealed, clientSecretLocation(record.tenantId, record.clientId));
  if (visibility.config) {
    const rotation = secretRotation(record, now);
    if (rotation) out.client_secret_rotation = rotation;
  }
  if (visibility.credentials) {
    if (keys) {
      const { facts, record: key } = keys.current;
      out.signing_keys = [{ cert: auth0Pem(key.cert), pkcs7: facts.pkcs7, subject: facts.subject }];
    }
  }
  return out;
}

const PUBLIC_TYPES = new Set(['spa', 'native']);

/** Auth0's refresh-token settings for a new application (also what `refresh_token: null` restores). */
export const DEFAULT_REFRESH_TOKEN = {
  rotation_type: 'non-rotating',
  expiration_type: 'non-expiring',
  leeway: 0,
  token_lifetime: 2592000,
  infinite_token_lifetime: true,
  idle_token_lifetime: 1296000,
  infinite_idle_token_lifetime: true,
} as const;

/** Auth0's defaults for a new application; the dashboard's per-type grant types. */
export function newClientData(input: ClientCreate, ids: { clientId: string; tenantName: string }): ClientData {
  const appType = input.app_type;
  const grantTypes =
    appType === 'non_interactive'
      ? ['client_credentials']
      : appType && PUBLIC_TYPES.has(appType)
        ? ['authorization_code', 'implicit', 'refresh_token']
        : ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'];
  return {
    client_id: ids.clientId,
    tenant: ids.tenantName,
    global: false,
    is_first_party: true,
    is_token_endpoint_ip_header_trusted: false,
    oidc_conformant: true,
    callbacks: [],
    allowed_origins: [],
    web_origins: [],
    allowed_logout_urls: [],
    client_aliases: [],
    allowed_clients: [],
    grant_types: grantTypes as ClientData['grant_types'],
    token_endpoint_auth_method: appType && PUBLIC_TYPES.has(appType) ? 'none' : 'client_secret_post',
    jwt_configuration: { alg: 'RS256', lifetime_in_seconds: 36000, secret_encoded: false },
    sso_disabled: false,
    cross_origin_authentication: false,
    custom_login_page_on: true,
    callback_url_template: false,
    refresh_token: { ...DEFAULT_REFRESH_TOKEN },
    ...input,
  };
}
