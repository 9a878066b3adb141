// The grant registry: grant_type → module. Adding a grant is adding a file and a line here.
import { clientCredentials } from './client-credentials.ts';
import type { Grant } from './grant.ts';

export const GRANTS: ReadonlyMap<string, Grant> = new Map([clientCredentials].map((g) => [g.grantType, g]));
