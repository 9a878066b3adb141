// Database connections (spec §3.5.4): every tenant has Auth0's default database connection,
// `Username-Password-Authentication`, with Auth0's defaults for a new tenant. It is enabled for
// every application of the tenant: stored without `enabled_clients`, which means "all".
import type { ConnectionRecord } from '../storage/ports.ts';
import { newConnectionId } from './ids.ts';

export const DEFAULT_CONNECTION_NAME = 'Username-Password-Authentication';

/** Auth0's options for a new tenant's database connection. */
export function defaultConnectionOptions(): Record<string, unknown> {
  return {
    mfa: { active: true, return_enroll_settings: true },
    passwordPolicy: 'good',
    password_complexity_options: { min_length: 8 },
    brute_force_protection: true,
    strategy_version: 2,
    requires_username: false,
    disable_signup: false,
    authentication_methods: { password: { enabled: true }, passkey: { enabled: false } },
  };
}

export function defaultConnectionRecord(tenantId: string, now: string): ConnectionRecord {
  return {
    tenantId,
    id: newConnectionId(),
    name: DEFAULT_CONNECTION_NAME,
    strategy: 'auth0',
    data: { options: defaultConnectionOptions(), is_domain_connection: false, realms: [DEFAULT_CONNECTION_NAME] },
    createdAt: now,
  };
}

/** Whether `clientId` may use the connection (no `enabled_clients` list: every application). */
export function connectionEnabledFor(connection: ConnectionRecord, clientId: string): boolean {
  const enabled = connection.data.enabled_clients;
  return !Array.isArray(enabled) || enabled.includes(clientId);
}
