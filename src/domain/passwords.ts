// Passwords: argon2id from node:crypto (Node 24, no native addon) with OWASP's parameters
// (m = 19 MiB, t = 2, p = 1), stored as PHC strings so parameters can change later (rehash on
// login). Hashing is memory- and CPU-hungry, so at most one per core runs at once, and the rest
// wait in one queue per source (the client's address, or the calling application) served fairly:
// the next free slot goes to the waiting source with the fewest hashes running, oldest first. A
// source may hold only a few hashes (running or waiting) and the whole queue is bounded; past
// either bound the caller gets PasswordBusy before any hashing (the login page answers 429 or
// 503), so a burst from one address costs everyone else at most one hash of waiting (T-OUT-03,
// T-RL-12). An unknown user is "verified" against a dummy hash so that timing does not reveal
// which accounts exist (T-RL-11).
import { availableParallelism } from 'node:os';
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';

const PARAMS = { memory: 19_456, passes: 2, parallelism: 1, tagLength: 32 } as const;
/** Concurrent hashes: one per core (more only time-slice the same cores), at most 4 (libuv's threads). */
const MAX_CONCURRENT = Math.max(1, Math.min(4, availableParallelism()));
/** Hashes waiting, all sources together. */
const MAX_QUEUED = 200;
/** Hashes one source may have running or waiting. */
const MAX_PER_SOURCE = 8;

/** Hashing refused before it started: this source has too much in progress, or the server has. */
export class PasswordBusy extends Error {
  override name = 'PasswordBusy';
  readonly scope: 'source' | 'server';
  constructor(scope: 'source' | 'server') {
    super(scope === 'source' ? 'too many password checks in progress for this source' : 'too many password checks in progress');
    this.scope = scope;
  }
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

export interface HasherOptions {
  maxConcurrent?: number;
  maxQueued?: number;
  maxPerSource?: number;
}

/** Who a hash is done for: hashes of one source wait in one queue. */
export type HashSource = string;

/** Work done for callers that name no source (the CLI, start-up). */
const LOCAL: HashSource = 'local';

/** Hashes and verifies with bounded, fairly shared concurrency (one per app; passed in its dependencies). */
export class PasswordHasher {
  #running = 0;
  #queued = 0;
  /** Per source: hashes running and waiting. */
  readonly #load = new Map<HashSource, { running: number; waiting: (() => void)[] }>();
  readonly #maxConcurrent: number;
  readonly #maxQueued: number;
  readonly #maxPerSource: number;

  constructor(options: HasherOptions = {}) {
    this.#maxConcurrent = options.maxConcurrent ?? MAX_CONCURRENT;
    this.#maxQueued = options.maxQueued ?? MAX_QUEUED;
    this.#maxPerSource = options.maxPerSource ?? MAX_PER_SOURCE;
  }

  /** Whether a hash for `source` would be refused right now (a cheap look before other work). */
  busyFor(source: HashSource): PasswordBusy | undefined {
    const load = this.#load.get(source);
    if (load && load.running + load.waiting.length >= this.#maxPerSource) return new PasswordBusy('source');
    if (this.#running >= this.#maxConcurrent && this.#queued >= this.#maxQueued) return new PasswordBusy('server');
    return undefined;
  }

  async #slot<T>(source: HashSource, work: () => Promise<T>): Promise<T> {
    const busy = this.busyFor(source);
    if (busy) throw busy;
    let load = this.#load.get(source);
    if (!load) {
      load = { running: 0, waiting: [] };
      this.#load.set(source, load);
    }
    if (this.#running >= this.#maxConcurrent) {
      this.#queued++;
      await new Promise<void>((resolve) => load.waiting.push(resolve));
      this.#queued--;
    } else {
      this.#running++;
    }
    load.running++;
    try {
      return await work();
    } finally {
      load.running--;
      // Done: the source leaves, or goes to the back of the line behind sources waiting since.
      this.#load.delete(source);
      if (load.running > 0 || load.waiting.length > 0) this.#load.set(source, load);
      this.#handOver();
    }
  }

  /**
   * A slot is free: it goes to the waiting source with the fewest hashes running (a newcomer
   * before a source that already holds slots), the longest-waiting of those first, or is released.
   */
  #handOver(): void {
    let next: { running: number; waiting: (() => void)[] } | undefined;
    let nextSource: HashSource | undefined;
    for (const [source, load] of this.#load) {
      if (load.waiting.length > 0 && (next === undefined || load.running < next.running)) {
        next = load;
        nextSource = source;
      }
    }
    if (!next || nextSource === undefined) {
      this.#running--;
      return;
    }
    // Served: to the back of the line, behind sources that have waited since.
    this.#load.delete(nextSource);
    this.#load.set(nextSource, next);
    next.waiting.shift()!();
  }

  async hash(password: string, source: HashSource = LOCAL): Promise<string> {
    const salt = randomBytes(16);
    const key = await this.#slot(source, () => derive(password, salt, PARAMS));
    return `$argon2id$v=19$m=${PARAMS.memory},t=${PARAMS.passes},p=${PARAMS.parallelism}$${b64(salt)}$${b64(key)}`;
  }

  /** Verifies `password` against a stored PHC hash, or against a dummy when there is none. */
  async verify(password: string, phc: string | null | undefined, source: HashSource = LOCAL): Promise<PasswordCheck> {
    const parsed = parse(phc ?? DUMMY) ?? parse(DUMMY)!;
    const key = await this.#slot(source, () => derive(password, parsed.salt, { memory: parsed.memory, passes: parsed.passes, parallelism: parsed.parallelism, tagLength: parsed.key.length }));
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
