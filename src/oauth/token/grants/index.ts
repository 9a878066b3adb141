// The grant registry: grant_type → module. Adding a grant is adding a file and a line here.
import { authorizationCode } from './authorization-code.ts';
import { clientCredentials } from './client-credentials.ts';
import type { Grant } from './grant.ts';
import { refreshToken } from './refresh-token.ts';

export const GRANTS: ReadonlyMap<string, Grant> = new Map<string, Grant>([clientCredentials, authorizationCode, refreshToken].map((g) => [g.grantType, g]));
