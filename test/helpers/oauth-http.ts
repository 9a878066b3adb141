// Plain HTTPS calls to a real server's Authentication API, for end-to-end tests that need to see
// the wire response itself (status and body) rather than what an SDK makes of it.

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

/** POST /oauth/token form-encoded, as every SDK sends it (spec §2.2). */
export async function postToken(baseUrl: string, params: Record<string, string>): Promise<TokenResponse> {
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
    redirect: 'manual',
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A client-credentials token, or an error naming the refused request. */
export async function clientCredentialsToken(baseUrl: string, clientId: string, clientSecret: string, audience: string, scope?: string): Promise<string> {
  const { status, body } = await postToken(baseUrl, {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: clientSecret,
    audience,
    ...(scope === undefined ? {} : { scope }),
  });
  if (status !== 200 || typeof body.access_token !== 'string') throw new Error(`token request refused: ${status} ${JSON.stringify(body)}`);
  return body.access_token;
}
