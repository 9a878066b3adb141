// Where each sealed secret lives: the AAD of its ciphertext (crypto/envelope.ts). A ciphertext
// moved to another row, field or tenant no longer decrypts (T-SR-04).
import type { SecretLocation } from '../crypto/envelope.ts';

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
