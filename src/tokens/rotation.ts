// Signing-key rotation and revocation (spec §3.5.8, T-KR). Rotate: the pre-published next key
// becomes current, the current one becomes previous (it still verifies), and a new next key is
// made. The states move with conditional updates inside one transaction, so two rotations at once
// (two instances on one PostgreSQL) cannot leave two current keys: the loser gets RotationConflict.
import type { Envelope } from '../crypto/envelope.ts';
import type { Clock } from '../domain/clock.ts';
import type { SigningKeyRecord, Storage } from '../storage/ports.ts';
import { createSigningKey } from './keys.ts';

export class RotationConflict extends Error {
  override name = 'RotationConflict';
}

export class KeyNotFound extends Error {
  override name = 'KeyNotFound';
}

export class KeyNotRevocable extends Error {
  override name = 'KeyNotRevocable';
}

/** Rotates; returns the key that is now current. */
export async function rotateSigningKeys(storage: Storage, envelope: Envelope, tenant: { id: string; domain: string }, clock: Clock): Promise<SigningKeyRecord> {
  const now = new Date(clock.now());
  const stamp = now.toISOString();
  // Key generation is slow: done before the transaction holds the database.
  const fresh = await createSigningKey(envelope, tenant, 'next', now);
  return storage.transaction(async (tx) => {
    const keys = await tx.signingKeys.list(tenant.id);
    const current = keys.find((k) => k.state === 'current');
    const next = keys.find((k) => k.state === 'next');
    if (!current || !next) throw new RotationConflict('the tenant has no current and next key to rotate');
    const moved =
      (await tx.signingKeys.updateIfState(tenant.id, current.kid, 'current', { state: 'previous', currentUntil: stamp })) &&
      (await tx.signingKeys.updateIfState(tenant.id, next.kid, 'next', { state: 'current', currentSince: stamp }));
    if (!moved) throw new RotationConflict('another rotation changed the keys first');
    await tx.signingKeys.create(fresh);
    return { ...next, state: 'current', currentSince: stamp };
  });
}

/** Revokes a previous key: it leaves the JWKS and every token it signed is refused. */
export async function revokeSigningKey(storage: Storage, tenantId: string, kid: string, clock: Clock): Promise<SigningKeyRecord> {
  const key = (await storage.signingKeys.list(tenantId)).find((k) => k.kid === kid);
  if (!key) throw new KeyNotFound(kid);
  if (key.state === 'revoked') return key;
  if (key.state !== 'previous') throw new KeyNotRevocable(key.state);
  const revokedAt = new Date(clock.now()).toISOString();
  if (!(await storage.signingKeys.updateIfState(tenantId, kid, 'previous', { state: 'revoked', revokedAt }))) throw new KeyNotRevocable('changed');
  return { ...key, state: 'revoked', revokedAt };
}
