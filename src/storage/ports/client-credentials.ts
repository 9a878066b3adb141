// Storage ports for Private Key JWT (RFC 7523, issue 15): a client's public-key credentials
// (Auth0's /clients/{id}/credentials) and the client-assertion ids already used, which are kept
// until the assertion expires so that no assertion is accepted twice on any instance.

export interface ClientCredentialRecord {
  tenantId: string;
  /** `cred_` + 22 characters. */
  id: string;
  clientId: string;
  name: string | null;
  /** The key id a client assertion may name in its header. */
  kid: string;
  alg: 'RS256' | 'RS384' | 'PS256';
  credentialType: 'public_key';
  /** The public key as SPKI PEM (a certificate's key is extracted on create). */
  pem: string;
  createdAt: string;
  updatedAt: string;
  /** Null: never expires. */
  expiresAt: string | null;
}

export interface ClientCredentialStore {
  /** Oldest first. */
  list(tenantId: string, clientId: string): Promise<ClientCredentialRecord[]>;
  get(tenantId: string, clientId: string, id: string): Promise<ClientCredentialRecord | undefined>;
  /** A second credential with the same kid for the client is a UniqueViolation. */
  create(record: ClientCredentialRecord): Promise<void>;
  update(tenantId: string, clientId: string, id: string, patch: Pick<ClientCredentialRecord, 'expiresAt' | 'updatedAt'>): Promise<boolean>;
  remove(tenantId: string, clientId: string, id: string): Promise<boolean>;
}

export interface AssertionJtiStore {
  /**
   * Records that (client, jti) was used; false when it already was (a replay). Atomic: of two
   * instances claiming the same jti at once, exactly one gets true.
   */
  claim(tenantId: string, clientId: string, jti: string, expiresAt: string): Promise<boolean>;
  /** Forgets ids whose assertion expired before `before`; returns how many. */
  prune(before: string): Promise<number>;
}
