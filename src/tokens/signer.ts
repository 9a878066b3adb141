// Which key signs a token: the one place a signing key is chosen, for POST /oauth/token, /authorize
// and the dashboard's test tokens alike. Only the tenant's current RSA key ever signs (D7); an API
// that asks for HS256 has its tokens signed with its own secret instead.
import type { KeyObject } from 'node:crypto';
import type { Signer } from './issue.ts';
import type { KeyRing } from './keys.ts';

/** An access token for `api` (none: a token for /userinfo only). */
export function accessTokenSigner(ring: KeyRing, api: { signingAlg: 'RS256' | 'HS256'; signingSecret: Buffer | undefined } | undefined): Signer {
  if (api?.signingAlg === 'HS256' && api.signingSecret) return { alg: 'HS256', secret: api.signingSecret };
  return { alg: 'RS256', kid: ring.current.kid, key: ring.current.privateKey! };
}

/** An ID token: always RS256 with the current key (spec §0 row 3: spa-js accepts nothing else). */
export function idTokenSigner(ring: KeyRing): { kid: string; key: KeyObject } {
  return { kid: ring.current.kid, key: ring.current.privateKey! };
}
