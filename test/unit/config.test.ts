// config/load.ts (docs/style.md §7): flags beat the environment, which beats defaults; every problem is
// listed at once; production mode refuses each generated development default unless it is set
// explicitly. And the README's configuration table names every key of config/schema.ts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, isHostPort, loadConfig } from '../../src/config/load.ts';
import { CONFIG_KEYS } from '../../src/config/schema.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const KEY = Buffer.alloc(32, 7).toString('base64');

/** The problems a ConfigError lists, or [] when the configuration loads. */
function problems(flags: Parameters<typeof loadConfig>[0], env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(flags, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('loadConfig: sources and defaults', () => {
  it('defaults when nothing is set', () => {
    const dataDir = path.resolve('./data');
    expect(loadConfig({}, {})).toEqual({
      port: 8443,
      host: 'localhost',
      domain: 'localhost:8443',
      changeDomain: false,
      dataDir,
      databaseUrl: `sqlite:${path.join(dataDir, 'scopeward.db')}`,
      tlsCert: undefined,
      tlsKey: undefined,
      http: false,
      logLevel: 'info',
      accessLog: false,
      trustProxy: [],
      masterKey: undefined,
      masterKeyFile: undefined,
      workers: 1,
      production: false,
      cacheResyncSeconds: 30,
      redisUrl: undefined,
      logRetentionDays: 30,
      logStreamTimeoutSeconds: 10,
      logStreamRetryMaxSeconds: 300,
      logStreamSuspendAfterSeconds: 604800,
      shutdownTimeoutSeconds: 10,
      handshakeTimeoutSeconds: 10,
      headersTimeoutSeconds: 15,
      requestTimeoutSeconds: 30,
      keepAliveTimeoutSeconds: 5,
      metricsPort: undefined,
      metricsHost: '127.0.0.1',
      metricsClientLabels: false,
    });
  });

  it('flag > environment > default', () => {
    expect(loadConfig({ port: '9000' }, { SCOPEWARD_PORT: '9100' }).port).toBe(9000);
    expect(loadConfig({}, { SCOPEWARD_PORT: '9100' }).port).toBe(9100);
    expect(loadConfig({}, {}).port).toBe(8443);
    expect(loadConfig({ logLevel: 'debug' }, { SCOPEWARD_LOG_LEVEL: 'warn', LOG_LEVEL: 'error' }).logLevel).toBe('debug');
  });

  it('the first listed environment name wins over its aliases; an empty value counts as unset', () => {
    expect(loadConfig({}, { SCOPEWARD_PORT: '9100', PORT: '9200' }).port).toBe(9100);
    expect(loadConfig({}, { PORT: '9200' }).port).toBe(9200);
    expect(loadConfig({}, { SCOPEWARD_PORT: '', PORT: '9200' }).port).toBe(9200);
    expect(loadConfig({}, { LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
  });

  it('derived defaults follow the values they derive from; the domain is lower-cased', () => {
    const c = loadConfig({ port: 9443, dataDir: '/srv/sw' }, {});
    expect([c.domain, c.dataDir, c.databaseUrl]).toEqual(['localhost:9443', '/srv/sw', 'sqlite:/srv/sw/scopeward.db']);
    expect(loadConfig({}, { SCOPEWARD_DOMAIN: ' Auth.Example.COM ' }).domain).toBe('auth.example.com');
  });

  it('booleans accept 1/true/yes/on and 0/false/no/off; lists split on commas', () => {
    expect(loadConfig({}, { SCOPEWARD_HTTP: 'yes' }).http).toBe(true);
    expect(loadConfig({}, { SCOPEWARD_HTTP: 'OFF' }).http).toBe(false);
    expect(loadConfig({ http: true }, { SCOPEWARD_HTTP: '0' }).http).toBe(true);
    expect(loadConfig({}, { SCOPEWARD_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,,' }).trustProxy).toEqual(['10.0.0.1', '192.168.0.0/16']);
  });
});

describe('loadConfig: validation', () => {
  it('lists every problem at once, in schema order', () => {
    const env = {
      SCOPEWARD_PORT: 'abc',
      SCOPEWARD_LOG_LEVEL: 'loud',
      SCOPEWARD_WORKERS: '0',
      SCOPEWARD_TLS_CERT: '/etc/cert.pem',
      SCOPEWARD_HTTP: 'maybe',
      SCOPEWARD_DOMAIN: 'https://auth.example/',
      DATABASE_URL: 'mysql://db',
      SCOPEWARD_MASTER_KEY: 'c2hvcnQ=',
    };
    const error = (() => {
      try {
        loadConfig({}, env);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      '--port / SCOPEWARD_PORT / PORT: expected a non-negative integer, got "abc"',
      '--http / SCOPEWARD_HTTP: expected true or false, got "maybe"',
      '--log-level: expected one of fatal, error, warn, info, debug, trace, silent',
      '--workers: expected 1 to 64',
      '--tls-cert and --tls-key must be given together',
      '--domain: "https://auth.example/" is not a host[:port] (no scheme, path or trailing slash)',
      'DATABASE_URL: expected sqlite:PATH or postgres://…',
      'SCOPEWARD_MASTER_KEY: expected base64 of exactly 32 bytes (openssl rand -base64 32)',
    ]);
    expect((error as ConfigError).message).toBe(`invalid configuration:\n${(error as ConfigError).problems.map((p) => `  - ${p}`).join('\n')}`);
  });

  it('port: 1-65535 only, reported once (no echo through the derived domain)', () => {
    expect(problems({ port: 0 }, {})).toEqual(['--port: 0 is not a TCP port (1-65535)']);
    expect(problems({ port: 65536 }, {})).toEqual(['--port: 65536 is not a TCP port (1-65535)']);
    expect(problems({ port: 0, domain: 'auth.example:0' }, {})).toEqual(['--port: 0 is not a TCP port (1-65535)', '--domain: "auth.example:0" is not a host[:port] (no scheme, path or trailing slash)']);
    expect(problems({ port: '-1' }, {})).toEqual(['--port / SCOPEWARD_PORT / PORT: expected a non-negative integer, got "-1"']);
    expect(problems({ port: '80.5' }, {})).toEqual(['--port / SCOPEWARD_PORT / PORT: expected a non-negative integer, got "80.5"']);
    expect(problems({ port: 1 }, {})).toEqual([]);
    expect(problems({ port: 65535 }, {})).toEqual([]);
  });

  it('log level: one of the pino levels', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) expect(problems({ logLevel: level }, {})).toEqual([]);
    expect(problems({ logLevel: 'verbose' }, {})).toEqual(['--log-level: expected one of fatal, error, warn, info, debug, trace, silent']);
  });

  it('workers: 1 to 64', () => {
    expect(problems({ workers: 1 }, {})).toEqual([]);
    expect(problems({ workers: 64 }, {})).toEqual([]);
    expect(problems({ workers: 65 }, {})).toEqual(['--workers: expected 1 to 64']);
    expect(problems({}, { SCOPEWARD_WORKERS: 'two' })).toEqual(['--workers / SCOPEWARD_WORKERS: expected a non-negative integer, got "two"']);
  });

  it('--tls-cert without --tls-key (and the reverse) is refused; --http cannot take a certificate', () => {
    expect(problems({ tlsCert: '/c.pem' }, {})).toEqual(['--tls-cert and --tls-key must be given together']);
    expect(problems({ tlsKey: '/k.pem' }, {})).toEqual(['--tls-cert and --tls-key must be given together']);
    expect(problems({ tlsCert: '/c.pem', tlsKey: '/k.pem' }, {})).toEqual([]);
    expect(problems({ tlsCert: '/c.pem', tlsKey: '/k.pem', http: true }, {})).toEqual(['--http serves plain HTTP; it cannot be combined with --tls-cert']);
  });

  it('cache resync needs at least one second', () => {
    expect(problems({ cacheResyncSeconds: 0 }, {})).toEqual(['--cache-resync-seconds: expected at least 1']);
  });

  it('S7: connection time limits are at least one second (0 would mean never), headers within the request limit', () => {
    expect(problems({ handshakeTimeoutSeconds: 0, headersTimeoutSeconds: 0, requestTimeoutSeconds: 0, keepAliveTimeoutSeconds: 0 }, {})).toEqual([
      '--handshake-timeout-seconds: expected at least 1',
      '--headers-timeout-seconds: expected at least 1',
      '--request-timeout-seconds: expected at least 1',
      '--keep-alive-timeout-seconds: expected at least 1',
    ]);
    expect(problems({ headersTimeoutSeconds: 31 }, {})).toEqual(['--headers-timeout-seconds: must not exceed --request-timeout-seconds (the headers are part of the request)']);
    expect(loadConfig({ headersTimeoutSeconds: 2, requestTimeoutSeconds: 2 }, { SCOPEWARD_KEEP_ALIVE_TIMEOUT_SECONDS: '1' })).toMatchObject({ headersTimeoutSeconds: 2, requestTimeoutSeconds: 2, keepAliveTimeoutSeconds: 1 });
  });

  it('database URLs: sqlite:PATH, postgres:// and postgresql:// only', () => {
    expect(problems({ databaseUrl: 'sqlite::memory:' }, {})).toEqual([]);
    expect(problems({ databaseUrl: 'postgres://u@h/db' }, {})).toEqual([]);
    expect(problems({ databaseUrl: 'postgresql://u@h/db' }, {})).toEqual([]);
    expect(problems({ databaseUrl: '/var/lib/sw.db' }, {})).toEqual(['DATABASE_URL: expected sqlite:PATH or postgres://…']);
  });

  it('isHostPort: DNS names, IPv4 and [IPv6], each with an optional port in range', () => {
    for (const ok of ['localhost', 'localhost:8443', 'auth.example.com', '127.0.0.1:1', '[::1]:65535', 'a-b.c']) expect(isHostPort(ok), ok).toBe(true);
    for (const bad of ['', 'https://x', 'x/', 'x:0', 'x:65536', '-x', 'x-', 'a..b', 'x y', 'x:abc']) expect(isHostPort(bad), bad).toBe(false);
  });
});

describe('loadConfig: production mode refuses generated development defaults', () => {
  const explicit = {
    SCOPEWARD_DOMAIN: 'auth.example.com',
    DATABASE_URL: 'postgres://sw@db/sw',
    SCOPEWARD_MASTER_KEY: KEY,
    SCOPEWARD_TLS_CERT: '/etc/sw/cert.pem',
    SCOPEWARD_TLS_KEY: '/etc/sw/key.pem',
  };
  const REFUSALS = {
    domain: 'production mode refuses the generated default domain; set --domain / SCOPEWARD_DOMAIN',
    database: 'production mode refuses the generated SQLite path; set DATABASE_URL (sqlite:PATH or postgres://…)',
    masterKey: 'production mode refuses the generated master key file; set SCOPEWARD_MASTER_KEY or --master-key-file',
    ca: 'production mode refuses the generated local CA; give --tls-cert/--tls-key, or --http behind a TLS proxy',
  };

  it('NODE_ENV=production with nothing set: each of the four defaults is refused', () => {
    expect(problems({}, { NODE_ENV: 'production' })).toEqual([REFUSALS.domain, REFUSALS.database, REFUSALS.masterKey, REFUSALS.ca]);
  });

  it('--production does the same as NODE_ENV=production', () => {
    expect(problems({ production: true }, {})).toEqual([REFUSALS.domain, REFUSALS.database, REFUSALS.masterKey, REFUSALS.ca]);
  });

  it('everything set explicitly: production mode starts', () => {
    const c = loadConfig({}, { NODE_ENV: 'production', ...explicit });
    expect([c.production, c.domain, c.databaseUrl, c.masterKey, c.tlsCert]).toEqual([true, 'auth.example.com', 'postgres://sw@db/sw', KEY, '/etc/sw/cert.pem']);
  });

  it('each default alone is refused when it is the only one left unset', () => {
    const without = (name: keyof typeof explicit) => Object.fromEntries(Object.entries(explicit).filter(([k]) => k !== name && !(name === 'SCOPEWARD_TLS_CERT' && k === 'SCOPEWARD_TLS_KEY')));
    expect(problems({}, { NODE_ENV: 'production', ...without('SCOPEWARD_DOMAIN') })).toEqual([REFUSALS.domain]);
    expect(problems({}, { NODE_ENV: 'production', ...without('DATABASE_URL') })).toEqual([REFUSALS.database]);
    expect(problems({}, { NODE_ENV: 'production', ...without('SCOPEWARD_MASTER_KEY') })).toEqual([REFUSALS.masterKey]);
    expect(problems({}, { NODE_ENV: 'production', ...without('SCOPEWARD_TLS_CERT') })).toEqual([REFUSALS.ca]);
  });

  it('the explicit alternatives are accepted: a SQLite path, a master key file, --http behind a proxy', () => {
    const env = { NODE_ENV: 'production', SCOPEWARD_DOMAIN: 'auth.example.com' };
    expect(problems({ databaseUrl: 'sqlite:/var/lib/sw/sw.db', masterKeyFile: '/run/secrets/sw.key', http: true }, env)).toEqual([]);
  });

  it('a development run (no NODE_ENV) accepts all generated defaults', () => {
    expect(problems({}, { NODE_ENV: 'development' })).toEqual([]);
  });
});

describe('README configuration reference', () => {
  it('names every flag and environment variable of config/schema.ts', () => {
    const readme = path.join(ROOT, 'README.md');
    expect(existsSync(readme), 'README.md is missing: its configuration table must list every key of src/config/schema.ts').toBe(true);
    const text = readFileSync(readme, 'utf8');
    const names = CONFIG_KEYS.flatMap((k) => [k.flag, ...k.env]).filter((n): n is string => Boolean(n));
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((n) => !new RegExp(`(^|[^A-Za-z0-9_-])${n.replace(/[-]/g, '\\-')}([^A-Za-z0-9_-]|$)`).test(text)), 'configuration names missing from README.md').toEqual([]);
  });
});
