// Passwords: argon2id from node:crypto (Node 24, no native addon) with OWASP's parameters
// (m = 19 MiB, t = 2, p = 1), stored as PHC strings so parameters can change later (rehash on
// login). Hashing is memory-hungry, so at most a few run at once and a bounded queue waits; past
// that, callers get PasswordBusy (the login page answers 503) instead of the server running out
// of memory (T-RL-12). An unknown user is "verified" against a dummy hash so that timing does not
// reveal which accounts exist (T-RL-11).
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';

const PARAMS = { memory: 19_456, passes: 2, parallelism: 1, tagLength: 32 } as const;
const MAX_CONCURRENT = 4;
const MAX_QUEUED = 200;

export class PasswordBusy extends Error {
  override name = 'PasswordBusy';
}

function derive(password: string, salt: Buffer, p: { memory: number; passes: number; parallelism: number; tagLength: number }): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) =>
    argon2('argon2id', { message: Buffer.from(password, 'utf8'), nonce: salt, ...p }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');



interface Parsed {
  memory: number;
  passes: number;
  parallelism: number;
  salt: Buffer;
  key: Buffer;
}

function parse(phc: string): Parsed | undefined {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(phc);
  if (!m) return undefined;
  return { memory: Number(m[1]), passes: Number(m[2]), parallelism: Number(m[3]), salt: Buffer.from(m[4]!, 'base64'), key: Buffer.from(m[5]!, 'base64') };
}

const DUMMY = `$argon2id$v=19$m=${PARAMS.memory},t=${PARAMS.passes},p=${PARAMS.parallelism}$${b64(randomBytes(16))}$${b64(randomBytes(32))}`;

export interface PasswordCheck {
  ok: boolean;
  /** The stored hash uses older parameters: store hashPassword(password) after a success. */
  rehash: boolean;
}

/** Hashes and verifies with a bound on concurrent work (one per app; passed in its dependencies). */
export class PasswordHasher {
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #maxConcurrent: number;
  readonly #maxQueued: number;

  constructor(options: { maxConcurrent?: number; maxQueued?: number } = {}) {
    this.#maxConcurrent = options.maxConcurrent ?? MAX_CONCURRENT;
    this.#maxQueued = options.maxQueued ?? MAX_QUEUED;
  }

  async #slot<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#maxConcurrent) {
      if (this.#waiting.length >= this.#maxQueued) throw new PasswordBusy('too many password checks in progress');
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#running++;
    try {
      return await work();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await this.#slot(() => derive(password, salt, PARAMS));
    return `$argon2id$v=19$m=${PARAMS.memory},t=${PARAMS.passes},p=${PARAMS.parallelism}$${b64(salt)}$${b64(key)}`;
  }

  /** Verifies `password` against a stored PHC hash, or against a dummy when there is none. */
  async verify(password: string, phc: string | null | undefined): Promise<PasswordCheck> {
    const parsed = parse(phc ?? DUMMY) ?? parse(DUMMY)!;
    const key = await this.#slot(() => derive(password, parsed.salt, { memory: parsed.memory, passes: parsed.passes, parallelism: parsed.parallelism, tagLength: parsed.key.length }));
    const ok = phc !== null && phc !== undefined && key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
    return { ok, rehash: ok && (parsed.memory !== PARAMS.memory || parsed.passes !== PARAMS.passes || parsed.parallelism !== PARAMS.parallelism) };
  }
}

/**
 * Auth0's "good" password policy (the default of a new database connection): at least 8
 * characters with 3 of lower case, upper case, digits and symbols. No upper bound below 512
 * characters, and the password is used exactly as given (ASVS 6.2.8/6.2.9).
 */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 8) return 'Password is too weak';
  if (password.length > 512) return 'Password is too long';
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  return classes >= 3 ? undefined : 'Password is too weak';
}
