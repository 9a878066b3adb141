// Every Management API route, in one list: mounted by register.ts, walked by the scope tests,
// read by `scopeward scopes-for` and by the OpenAPI document.
import { clientGrantRoutes } from './client-grants.ts';
import { clientRoutes } from './clients.ts';
import { resourceServerRoutes } from './resource-servers.ts';
import type { ManagementRoute } from './route.ts';

export const MANAGEMENT_ROUTES: readonly ManagementRoute[] = [...clientRoutes, ...clientGrantRoutes, ...resourceServerRoutes];
