// The Management API shapes the Applications and APIs pages read (spec §3.5.1–3.5.3, plus the
// Scopeward test-token extension), and the paging helper they share. Field names are Auth0's.
import type { TokenQuotaWire } from '../lib/token-quota.ts';
import type { ApiClient, Query } from '../lib/api.ts';

export type AppType = 'non_interactive' | 'spa' | 'regular_web' | 'native';
export type AuthMethod = 'none' | 'client_secret_post' | 'client_secret_basic';

/** An application as the dashboard reads it: never with `client_secret` (that is fetched on Reveal only). */
export interface Client {
  client_id: string;
  name: string;
  description?: string;
  app_type?: string;
  global?: boolean;
  /** Scopeward extension: 'dashboard' marks the system application admins sign in with. */
  callbacks?: string[];
  allowed_logout_urls?: string[];
  web_origins?: string[];
  allowed_origins?: string[];
  grant_types?: string[];
  token_endpoint_auth_method?: AuthMethod;
  /** Private Key JWT (issue 15): the credentials enabled for it. */
  client_authentication_methods?: { private_key_jwt?: { credentials: { id: string }[] } };
  client_metadata?: Record<string, string>;
  client_secret_rotation?: { previous_secret_expires_at?: string; last_used_secret?: 'current' | 'previous'; last_used_at?: string; current_secret_last_used_at?: string; previous_secret_last_used_at?: string };
  token_quota?: TokenQuotaWire | null;
}

export interface Scope {
  value: string;
  description?: string;
}

export interface ResourceServer {
  id: string;
  name: string;
  identifier: string;
  scopes?: Scope[];
  signing_alg?: 'RS256' | 'HS256';
  token_lifetime?: number;
  token_lifetime_for_web?: number;
  allow_offline_access?: boolean;
  is_system?: boolean;
}

export interface ClientGrant {
  id: string;
  client_id: string;
  audience: string;
  scope: string[];
  subject_type?: 'client' | 'user';
}

/** A token minted from the dashboard (`/api/v2/scopeward/test-tokens`); `access_token` only in the POST answer. */
export interface TestToken {
  id: string;
  name: string;
  access_token?: string;
  /** null: a legacy token that never expires. */
  expires_in: number | null;
  scope: string;
  client_id: string;
  audience: string;
  jti: string;
  legacy?: boolean;
  expires_at: string | null;
  created_at: string;
  created_by: string;
  revoked_at?: string | null;
}

export const APP_TYPES: { value: AppType; label: string; hint: string }[] = [
  { value: 'non_interactive', label: 'Machine to Machine', hint: 'A service or script that calls an API with its own credentials.' },
  { value: 'spa', label: 'Single Page Application', hint: 'A JavaScript front end running in the browser.' },
  { value: 'regular_web', label: 'Regular Web Application', hint: 'A server-rendered web application.' },
  { value: 'native', label: 'Native', hint: 'A mobile or desktop application.' },
];

export const appTypeLabel = (t: string | undefined): string => APP_TYPES.find((a) => a.value === t)?.label ?? (t ? t : 'Generic');

/** The dashboard's own application: its id is in /dashboard/config.json (the API keeps its system marker out of answers). */
export const isDashboardApp = (c: Client, dashboardClientId: string): boolean => c.client_id === dashboardClientId;

/** The client_metadata key marking an API's test application (value: the API identifier, or its id when longer than 255). */
export const TEST_APP_KEY = 'scopeward_test_app_for';

/**
 * Every page of a Management API list. Lists without include_totals are bare arrays; a page shorter
 * than per_page is the last. The cap keeps a runaway loop from hammering the server.
 */
export async function listAll<T>(api: ApiClient, path: string, query: Query = {}): Promise<T[]> {
  const perPage = 100;
  const all: T[] = [];
  for (let page = 0; page < 50; page++) {
    const items = await api.get<T[]>(path, { ...query, page, per_page: perPage });
    all.push(...items);
    if (items.length < perPage) break;
  }
  return all;
}

/** Drops the secret the create/update/rotate answers carry (Auth0 returns it; the page must not keep it). */
export function withoutSecret<T extends object>(value: T): Omit<T, 'client_secret' | 'signing_secret'> {
  const { client_secret: _c, signing_secret: _s, ...rest } = value as T & { client_secret?: unknown; signing_secret?: unknown };
  return rest;
}

/** Client fields the settings page and lists read: everything but the secret. */
export const CLIENT_FIELDS = [
  'client_id',
  'name',
  'description',
  'app_type',
  'global',
  'callbacks',
  'allowed_logout_urls',
  'web_origins',
  'allowed_origins',
  'grant_types',
  'token_endpoint_auth_method',
  'client_authentication_methods',
  'client_metadata',
  'client_secret_rotation',
  'token_quota',
].join(',');

/** API fields without signing_secret (the HS256 key is fetched on Reveal only). */
export const API_FIELDS = ['id', 'name', 'identifier', 'scopes', 'signing_alg', 'token_lifetime', 'token_lifetime_for_web', 'allow_offline_access', 'is_system'].join(',');
