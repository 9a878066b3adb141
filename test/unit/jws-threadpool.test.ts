// RS256 signatures on libuv's threadpool (issue 13): the same compact JWS as on the event loop,
// verifiable, and the event loop stays free while they are made when the process has more than one CPU.
import { generateKeyPairSync, verify } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseJws, signRs256, signRs256Async, SIGNS_OFF_LOOP } from '../../src/tokens/jws.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const header = { alg: 'RS256', typ: 'JWT', kid: 'k1' };
const payload = { iss: 'https://tenant.example/', sub: 'abc@clients', aud: 'https://api.example/', iat: 1, exp: 2, jti: 'j' };

describe('signRs256Async', () => {
  it('makes the same header and payload as signRs256, with a signature that verifies (RS256 is deterministic)', async () => {
    const token = await signRs256Async(header, payload, privateKey);
    expect(token).toBe(signRs256(header, payload, privateKey));
    const jws = parseJws(token);
    expect({ ...jws.header }).toStrictEqual(header);
    expect({ ...jws.payload }).toStrictEqual(payload);
    expect(verify('sha256', jws.signingInput, publicKey, jws.signature)).toBe(true);
  });

  it('signs off the event loop exactly when the process may use more than one CPU', async () => {
    expect(SIGNS_OFF_LOOP).toBe(availableParallelism() > 1);
    let settled = 0;
    const signing = Promise.all(Array.from({ length: 8 }, () => signRs256Async(header, payload, privateKey).then(() => settled++)));
    // An immediate runs at the loop's next turn: before any signature is done when they are made
    // on the threadpool (each takes ~0.3 ms or more), after all of them when the loop made them.
    const seenByImmediate = await new Promise<number>((resolve) => setImmediate(() => resolve(settled)));
    await signing;
    expect(settled).toBe(8);
    expect(seenByImmediate).toBe(SIGNS_OFF_LOOP ? 0 : 8);
  });
});
