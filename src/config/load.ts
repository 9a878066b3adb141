// Reads configuration from flags (highest), then the environment, then defaults; validates it all
// at once so that a start-up failure lists every problem, not the first one.
import path from 'node:path';
import { CONFIG_KEYS, type Config, type ConfigKey } from './schema.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

type Raw = string | boolean | string[] | number | undefined;
export type ConfigFlags = Partial<Record<keyof Config, Raw>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

function describe(k: ConfigKey): string {
  return [k.flag, ...k.env].filter(Boolean).join(' / ');
}

function convert(k: ConfigKey, raw: Raw, problems: string[]): unknown {
  if (raw === undefined) return undefined;
  switch (k.kind) {
    case 'string':
      return String(raw);
    case 'integer': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isInteger(n) || n < 0) {
        problems.push(`${describe(k)}: expected a non-negative integer, got ${JSON.stringify(raw)}`);
        return undefined;
      }
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const text = String(raw).trim().toLowerCase();
      if (TRUE.has(text)) return true;
      if (FALSE.has(text)) return false;
      problems.push(`${describe(k)}: expected true or false, got ${JSON.stringify(raw)}`);
      return undefined;
    }
    case 'list':
      return (Array.isArray(raw) ? raw : String(raw).split(','))
        .map((s) => String(s).trim())
        .filter(Boolean);
  }
}

/** Builds the configuration; throws ConfigError listing every problem. */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const explicit = new Set<keyof Config>();
  const values: Record<string, unknown> = {};

  for (const k of CONFIG_KEYS) {
    let raw: Raw = flags[k.key];
    if (raw === undefined) {
      for (const name of k.env) {
        if (env[name] !== undefined && env[name] !== '') {
          raw = env[name];
          break;
        }
      }
    }
    const value = convert(k, raw, problems);
    if (value !== undefined) {
      explicit.add(k.key);
      values[k.key] = value;
    } else {
      values[k.key] = k.default;
    }
  }
  if (env.NODE_ENV === 'production') values.production = true;

  const c = values as unknown as Config;
  if (c.port < 1 || c.port > 65535) problems.push(`--port: ${c.port} is not a TCP port (1-65535)`);
  if (!LOG_LEVELS.includes(c.logLevel)) problems.push(`--log-level: expected one of ${LOG_LEVELS.join(', ')}`);
  if (c.metricsPort !== undefined && (c.metricsPort < 1 || c.metricsPort > 65535)) problems.push(`--metrics-port: ${c.metricsPort} is not a TCP port (1-65535)`);
  if (c.metricsPort !== undefined && c.metricsPort === c.port) problems.push('--metrics-port: must differ from --port (metrics have a listener of their own)');
  if (c.workers < 1 || c.workers > 64) problems.push('--workers: expected 1 to 64');
  if (c.cacheResyncSeconds < 1) problems.push('--cache-resync-seconds: expected at least 1');
  if (c.logRetentionDays < 1) problems.push('--log-retention-days: expected at least 1');
  for (const [flag, value] of [['--log-stream-timeout-seconds', c.logStreamTimeoutSeconds], ['--log-stream-retry-max-seconds', c.logStreamRetryMaxSeconds], ['--log-stream-suspend-after-seconds', c.logStreamSuspendAfterSeconds]] as const) {
    if (value < 1) problems.push(`${flag}: expected at least 1`);
  }
  for (const [flag, value] of [['--handshake-timeout-seconds', c.handshakeTimeoutSeconds], ['--headers-timeout-seconds', c.headersTimeoutSeconds], ['--request-timeout-seconds', c.requestTimeoutSeconds], ['--keep-alive-timeout-seconds', c.keepAliveTimeoutSeconds]] as const) {
    // 0 would mean "never" to Node: exactly the unbounded socket these limits exist to prevent (S7).
    if (value < 1) problems.push(`${flag}: expected at least 1`);
  }
  if (c.headersTimeoutSeconds > c.requestTimeoutSeconds) problems.push('--headers-timeout-seconds: must not exceed --request-timeout-seconds (the headers are part of the request)');
  if (c.redisUrl !== undefined && !/^rediss?:\/\//.test(c.redisUrl)) problems.push('REDIS_URL: expected redis://… or rediss://…');
  if (Boolean(c.tlsCert) !== Boolean(c.tlsKey)) problems.push('--tls-cert and --tls-key must be given together');
  if (c.http && c.tlsCert) problems.push('--http serves plain HTTP; it cannot be combined with --tls-cert');

  c.dataDir = path.resolve(c.dataDir);
  if (c.domain === undefined) c.domain = `localhost:${c.port}`;
  c.domain = c.domain.trim().toLowerCase();
  // A derived domain is only invalid when the port is, which is reported already.
  if (explicit.has('domain') && !isHostPort(c.domain)) {
    problems.push(`--domain: ${JSON.stringify(c.domain)} is not a host[:port] (no scheme, path or trailing slash)`);
  }
  if (c.databaseUrl === undefined) c.databaseUrl = `sqlite:${path.join(c.dataDir, 'scopeward.db')}`;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(c.databaseUrl)) {
    problems.push('DATABASE_URL: expected sqlite:PATH or postgres://…');
  }
  if (c.masterKey !== undefined && Buffer.from(c.masterKey, 'base64').length !== 32) {
    problems.push('SCOPEWARD_MASTER_KEY: expected base64 of exactly 32 bytes (openssl rand -base64 32)');
  }

  if (c.production) {
    const refuse = (what: string, how: string): void => {
      problems.push(`production mode refuses the generated ${what}; ${how}`);
    };
    if (!explicit.has('domain')) refuse('default domain', 'set --domain / SCOPEWARD_DOMAIN');
    if (!explicit.has('databaseUrl')) refuse('SQLite path', 'set DATABASE_URL (sqlite:PATH or postgres://…)');
    if (!explicit.has('masterKey') && !explicit.has('masterKeyFile')) {
      refuse('master key file', 'set SCOPEWARD_MASTER_KEY or --master-key-file');
    }
    if (!c.http && !c.tlsCert) refuse('local CA', 'give --tls-cert/--tls-key, or --http behind a TLS proxy');
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return c;
}

/** host[:port] where host is a DNS name, IPv4 or [IPv6]. */
export function isHostPort(value: string): boolean {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)(:(\d{1,5}))?$/.exec(value);
  if (!m) return false;
  const port = m[6];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}
