// Which key signs an access token for an API: its HS256 secret when the API asks for HS256,
// otherwise the tenant's current RSA key (the only key that ever signs, D7).
import type { KeyObject } from 'node:crypto';
import type { CachedApi, Registry } from '../cache/registry.ts';
import { signerFor } from '../tokens/client-credentials.ts';
import type { Signer } from '../tokens/issue.ts';

export async function accessTokenSigner(registry: Registry, tenantId: string, api: CachedApi | undefined): Promise<Signer> {
  return signerFor(await registry.keys(tenantId), api);
}

/** The current RSA key: ID tokens are always RS256 (spec §0 row 3: spa-js accepts nothing else). */
export async function idTokenSigner(registry: Registry, tenantId: string): Promise<{ kid: string; key: KeyObject }> {
  const ring = await registry.keys(tenantId);
  return { kid: ring.current.kid, key: ring.current.privateKey! };
}
