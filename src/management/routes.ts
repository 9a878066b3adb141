// Every Management API route, in one list: mounted by register.ts, walked by the scope tests,
// read by `scopeward scopes-for` and by the OpenAPI document.
import { actionRoutes } from './actions.ts';
import { blacklistRoutes } from './blacklists.ts';
import { clientCredentialRoutes } from './client-credentials.ts';
import { clientGrantRoutes } from './client-grants.ts';
import { clientRoutes } from './clients.ts';
import { connectionRoutes } from './connections.ts';
import { deviceCredentialRoutes } from './device-credentials.ts';
import { keyRoutes } from './keys.ts';
import { logRoutes } from './logs.ts';
import { logStreamRoutes } from './log-streams.ts';
import { resourceServerRoutes } from './resource-servers.ts';
import type { ManagementRoute } from './route.ts';
import { scopewardTenantRoutes } from './scopeward-tenants.ts';
import { scopewardTestTokenRoutes } from './scopeward-test-tokens.ts';
import { tenantSettingsRoutes } from './tenant-settings.ts';
import { userBlockRoutes } from './user-blocks.ts';
import { userRoutes } from './users.ts';

export const MANAGEMENT_ROUTES: readonly ManagementRoute[] = [
  ...clientRoutes,
  ...clientCredentialRoutes,
  ...clientGrantRoutes,
  ...resourceServerRoutes,
  ...blacklistRoutes,
  ...keyRoutes,
  ...tenantSettingsRoutes,
  ...logRoutes,
  ...logStreamRoutes,
  ...userRoutes,
  ...userBlockRoutes,
  ...deviceCredentialRoutes,
  ...connectionRoutes,
  ...actionRoutes,
  // Scopeward extensions (documented as such in the OpenAPI document).
  ...scopewardTenantRoutes,
  ...scopewardTestTokenRoutes,
];
