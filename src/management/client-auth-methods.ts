// How PATCH /clients/{id} switches a client between a secret and Private Key JWT (issue 15), as
// Auth0 does it: client_authentication_methods.private_key_jwt.credentials names credentials of
// that client, and token_endpoint_auth_method is null beside it. Sending
// client_authentication_methods: null goes back to the secret (client_secret_post unless said).
import type { ClientData } from '../schemas/client.ts';
import type { Storage } from '../storage/ports.ts';
import { badRequest } from './errors.ts';

export const AUTH_METHOD_TEXT = {
  both: 'token_endpoint_auth_method must be null when client_authentication_methods is set',
  unknownCredential: (id: string) => `Payload validation error: 'The credential ${id.slice(0, 64)} does not exist for this client' on property client_authentication_methods.private_key_jwt.credentials.`,
  repeated: "Payload validation error: 'A credential is listed twice' on property client_authentication_methods.private_key_jwt.credentials.",
  publicClient: 'A public client (token_endpoint_auth_method none) cannot use Private Key JWT',
} as const;

/**
 * `data` (the stored fields with the body's merged over them) with the authentication method the
 * body asked for; throws a 400 when the result would name both methods or unknown credentials.
 */
export async function applyAuthenticationMethods(storage: Storage, tenantId: string, clientId: string, body: Record<string, unknown>, data: ClientData): Promise<ClientData> {
  const out: Record<string, unknown> = { ...data };
  if (body.token_endpoint_auth_method === null) delete out.token_endpoint_auth_method;
  if (body.client_authentication_methods === null) {
    delete out.client_authentication_methods;
    out.token_endpoint_auth_method ??= 'client_secret_post';
  }
  const methods = out.client_authentication_methods as ClientData['client_authentication_methods'];
  if (methods?.private_key_jwt) {
    if (out.token_endpoint_auth_method === 'none') throw badRequest(AUTH_METHOD_TEXT.publicClient);
    if (out.token_endpoint_auth_method !== undefined) throw badRequest(AUTH_METHOD_TEXT.both);
    if (body.client_authentication_methods !== undefined) {
      const ids = methods.private_key_jwt.credentials.map((c) => c.id);
      if (new Set(ids).size !== ids.length) throw badRequest(AUTH_METHOD_TEXT.repeated);
      const known = new Set((await storage.clientCredentials.list(tenantId, clientId)).map((c) => c.id));
      const unknown = ids.find((id) => !known.has(id));
      if (unknown !== undefined) throw badRequest(AUTH_METHOD_TEXT.unknownCredential(unknown));
    }
  } else if (out.token_endpoint_auth_method === undefined) {
    // An empty client_authentication_methods ({}) names no method: the secret it is.
    out.token_endpoint_auth_method = 'client_secret_post';
  }
  return out as ClientData;
}

