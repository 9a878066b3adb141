// Where each sealed secret lives: the AAD of its ciphertext (crypto/envelope.ts). A ciphertext
// moved to another row, field or tenant no longer decrypts (T-SR-04).
import type { Envelope, SecretLocation } from '../crypto/envelope.ts';

export const clientSecretLocation = (tenantId: string, clientId: string): SecretLocation => ({
  tenantId,
  table: 'clients',
  recordId: clientId,
  field: 'client_secret',
});

export const apiSecretLocation = (tenantId: string, id: string): SecretLocation => ({
  tenantId,
  table: 'resource_servers',
  recordId: id,
  field: 'signing_secret',
});

/** A log stream's sink secrets (httpAuthorization, httpCustomHeaders), sealed as one document. */
export const logStreamSecretLocation = (tenantId: string, id: string): SecretLocation => ({
  tenantId,
  table: 'log_streams',
  recordId: id,
  field: 'sink',
});

/** The stored form of a client secret: sealed for reading back, and its row-bound MAC for login. */
export function sealClientSecret(envelope: Envelope, tenantId: string, clientId: string, secret: string): { secretSealed: string; secretMac: string } {
  const at = clientSecretLocation(tenantId, clientId);
  return { secretSealed: envelope.seal(secret, at), secretMac: envelope.mac(secret, at).toString('base64') };
}

/** The MAC a presented secret must match for this client. */
export function clientSecretMac(envelope: Envelope, tenantId: string, clientId: string, secret: string): Buffer {
  return envelope.mac(secret, clientSecretLocation(tenantId, clientId));
}
