// The Management API of a real server (test/helpers/real-server.ts) called with `scopeward init`'s
// application, for end-to-end tests that set up applications, APIs and users before handing the
// tenant to a third-party tool.
import { clientCredentialsToken } from './oauth-http.ts';
import type { RealServer } from './real-server.ts';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export type AdminCall = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => Promise<Answer<T>>;

export async function realAdmin(server: RealServer): Promise<AdminCall> {
  const token = await clientCredentialsToken(server.baseUrl, server.init.client_id, server.init.client_secret, server.init.audience);
  return async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.baseUrl}/api/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  };
}

/** Creates, through the API, what a user's login needs: a database user. */
export async function createUser(admin: AdminCall, email: string, password: string): Promise<string> {
  const res = await admin<{ user_id: string }>('POST', '/users', { connection: 'Username-Password-Authentication', email, password });
  if (res.status !== 201) throw new Error(`user not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.user_id;
}
