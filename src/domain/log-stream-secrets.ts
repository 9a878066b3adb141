// A log stream's sink secrets (the Authorization header and the custom headers, which carry API
// keys such as Datadog's DD-API-KEY) are sealed together, bound to the stream's row (T-SR-04).
import type { Envelope } from '../crypto/envelope.ts';
import type { LogStreamSecrets } from '../storage/ports.ts';
import { logStreamSecretLocation } from './secret-locations.ts';

/** The stored form of a sink's secrets; null when it has none. */
export function sealStreamSecrets(envelope: Envelope, tenantId: string, id: string, secrets: LogStreamSecrets): string | null {
  const present: LogStreamSecrets = {
    ...(secrets.httpAuthorization !== undefined && { httpAuthorization: secrets.httpAuthorization }),
    ...(secrets.httpCustomHeaders !== undefined && { httpCustomHeaders: secrets.httpCustomHeaders }),
  };
  return Object.keys(present).length === 0 ? null : envelope.seal(JSON.stringify(present), logStreamSecretLocation(tenantId, id));
}

export function openStreamSecrets(envelope: Envelope, tenantId: string, id: string, sealed: string | null): LogStreamSecrets {
  return sealed === null ? {} : (JSON.parse(envelope.open(sealed, logStreamSecretLocation(tenantId, id))) as LogStreamSecrets);
}
