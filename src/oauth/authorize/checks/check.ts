// What an /authorize check is (docs/style.md §2: an ordered list of small named checks, oidc-provider's
// shape). Each reads the raw parameters and what earlier checks established, and adds its part.
import type { CachedApi, CachedClient, Registry } from '../../../cache/registry.ts';
import type { Tenant } from '../../../domain/tenant.ts';
import type { AuthorizeRequest, RawParams } from '../request.ts';

export interface CheckContext {
  tenant: Tenant;
  params: RawParams;
  registry: Registry;
  draft: Partial<AuthorizeRequest>;
  /** Set by the client check. */
  client?: CachedClient;
  /** Set by the audience check when an API is named. */
  api?: CachedApi;
}

export interface AuthorizeCheck {
  name: string;
  /** The parameters it reads: only these reach the checks, and only these are kept in a login transaction. */
  params: readonly string[];
  run(ctx: CheckContext): void | Promise<void>;
}
