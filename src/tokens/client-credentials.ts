// The client-credentials access token (spec §2.2: sub CLIENT_ID@clients, gty client-credentials),
// defined once for POST /oauth/token and for the test tokens the dashboard mints (issue #5): a test
// token is the very token the application would get itself (its key is chosen in signer.ts).
import { issueAccessToken, type IssuedToken, type Signer } from './issue.ts';

/** The scopes a client grant gives (Auth0's allow_all_scopes: every scope the API defines). */
export function grantedScopes(grant: { scope: readonly string[]; extra: Record<string, unknown> }, apiScopes: Iterable<string>): string[] {
  return grant.extra.allow_all_scopes === true ? [...apiScopes] : [...grant.scope];
}

export interface ClientCredentialsTokenInput {
  issuer: string;
  clientId: string;
  audience: string;
  scopes: readonly string[];
  /** Seconds since the epoch. */
  now: number;
  lifetime: number;
  dialect: string | undefined;
  signer: Signer;
}

export function issueClientCredentialsToken(input: ClientCredentialsTokenInput): Promise<IssuedToken> {
  return issueAccessToken({ ...input, subject: `${input.clientId}@clients`, grantType: 'client-credentials' });
}
