// Every configuration key, described once: its flag, its environment variable, its default and
// what it means. `load.ts` reads flags and environment against this table; the README's
// configuration reference is generated from the same table (test/unit/config.test.ts checks it).
import { DEFAULT_HTTP_TIMEOUTS } from '../http/timeouts.ts';

export type ConfigKind = 'string' | 'integer' | 'boolean' | 'list';

export interface ConfigKey {
  key: keyof Config;
  /** Command-line flag; absent for values that must not appear in a process listing. */
  flag?: string;
  env: string[];
  kind: ConfigKind;
  description: string;
  /** Default shown in docs; `undefined` means "derived" (see description) or "unset". */
  default?: string | number | boolean | string[];
  /** A dev default that NODE_ENV=production refuses unless the key is set explicitly. */
  devDefault?: boolean;
}

export interface Config {
  port: number;
  host: string;
  /** Public host[:port] of the default tenant. The issuer is always `https://${domain}/`. */
  domain: string;
  /** Move the stored default tenant to `domain` when it answers another one (R4: never silently). */
  changeDomain: boolean;
  dataDir: string;
  databaseUrl: string;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  /** Serve plain HTTP (TLS terminated by a proxy in front). */
  http: boolean;
  logLevel: string;
  accessLog: boolean;
  /** Peers (IPs or CIDRs) whose X-Forwarded-* headers are believed. */
  trustProxy: string[];
  /** Base64 of 32 bytes. */
  masterKey: string | undefined;
  masterKeyFile: string | undefined;
  workers: number;
  production: boolean;
  /** How often every instance marks its caches for reloading, the backstop for a missed change notification. */
  cacheResyncSeconds: number;
  redisUrl: string | undefined;
  logRetentionDays: number;
  /** Log stream delivery (issue 13, docs/log-streams.md). */
  logStreamTimeoutSeconds: number;
  logStreamRetryMaxSeconds: number;
  logStreamSuspendAfterSeconds: number;
  shutdownTimeoutSeconds: number;
  /** Connection time limits (S7): see http/timeouts.ts. */
  handshakeTimeoutSeconds: number;
  headersTimeoutSeconds: number;
  requestTimeoutSeconds: number;
  keepAliveTimeoutSeconds: number;
  /** The /metrics listener's port; undefined: no listener, metrics off (issue 13). */
  metricsPort: number | undefined;
  metricsHost: string;
  /** Label tokens and refusals with the client id (one series per client). */
  metricsClientLabels: boolean;
}

export const CONFIG_KEYS: readonly ConfigKey[] = [
  { key: 'port', flag: '--port', env: ['SCOPEWARD_PORT', 'PORT'], kind: 'integer', default: 8443, description: 'TCP port to listen on.' },
  { key: 'host', flag: '--host', env: ['SCOPEWARD_HOST'], kind: 'string', default: 'localhost', description: 'Interface to bind. `localhost` binds the loopback addresses only; use `0.0.0.0` or `::` in a container.' },
  { key: 'domain', flag: '--domain', env: ['SCOPEWARD_DOMAIN'], kind: 'string', devDefault: true, description: 'Public host[:port] of the default tenant, as given to the SDKs. The issuer is `https://DOMAIN/` and the Management API audience `https://DOMAIN/api/v2/`. Default: `localhost:PORT`.' },
  { key: 'changeDomain', flag: '--change-domain', env: [], kind: 'boolean', default: false, description: 'Move the default tenant to DOMAIN when the database has it on another domain (its issuer, Management API audience and the grants naming that audience follow; tokens issued for the old domain stop verifying). Without it a server whose DOMAIN differs from the stored one refuses to start: another instance may be serving that domain. A flag only, for one start, so that no standing environment setting lets every instance move it.' },
  { key: 'dataDir', flag: '--data-dir', env: ['SCOPEWARD_DATA_DIR'], kind: 'string', default: './data', description: 'Directory for the SQLite file, the master key file and the local CA.' },
  { key: 'databaseUrl', flag: '--database-url', env: ['DATABASE_URL'], kind: 'string', devDefault: true, description: 'Database. `sqlite:PATH` (or `sqlite::memory:`) or `postgres://user@host:port/db`. Default: `sqlite:DATA_DIR/scopeward.db`.' },
  { key: 'tlsCert', flag: '--tls-cert', env: ['SCOPEWARD_TLS_CERT'], kind: 'string', description: 'PEM certificate (chain) for HTTPS. Without it a local CA and server certificate are made in DATA_DIR.' },
  { key: 'tlsKey', flag: '--tls-key', env: ['SCOPEWARD_TLS_KEY'], kind: 'string', description: 'PEM private key for `--tls-cert`.' },
  { key: 'http', flag: '--http', env: ['SCOPEWARD_HTTP'], kind: 'boolean', default: false, description: 'Serve plain HTTP for a TLS-terminating proxy. Issuers stay `https://DOMAIN/`.' },
  { key: 'logLevel', flag: '--log-level', env: ['SCOPEWARD_LOG_LEVEL', 'LOG_LEVEL'], kind: 'string', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent.' },
  { key: 'accessLog', flag: '--access-log', env: ['SCOPEWARD_ACCESS_LOG'], kind: 'boolean', default: false, description: 'Log one line per request (method, path with sensitive query values masked, status, duration) at info level. Off by default: it costs about 10 % of token throughput.' },
  { key: 'trustProxy', flag: '--trust-proxy', env: ['SCOPEWARD_TRUST_PROXY'], kind: 'list', default: [], description: 'Comma-separated IPs/CIDRs of proxies whose X-Forwarded-For/-Host/-Proto are believed. Empty: those headers are ignored.' },
  { key: 'masterKey', env: ['SCOPEWARD_MASTER_KEY'], kind: 'string', devDefault: true, description: 'Base64 of 32 random bytes that encrypts secrets at rest (environment only, so it never shows in a process listing). Default: a key file made on first run.' },
  { key: 'masterKeyFile', flag: '--master-key-file', env: ['SCOPEWARD_MASTER_KEY_FILE'], kind: 'string', description: 'File holding the master key (base64). Default: `DATA_DIR/master.key`, created with mode 0600.' },
  { key: 'workers', flag: '--workers', env: ['SCOPEWARD_WORKERS'], kind: 'integer', default: 1, description: 'Worker processes (node:cluster) sharing the port.' },
  { key: 'production', flag: '--production', env: [], kind: 'boolean', default: false, description: 'Production mode, also set by NODE_ENV=production: generated dev defaults (local CA, master key file, default domain and SQLite path) are refused unless set explicitly.' },
  { key: 'redisUrl', flag: '--redis-url', env: ['REDIS_URL'], kind: 'string', description: 'Redis for rate-limit counters shared by every instance (redis://host:6379). Without it each process counts alone; if Redis fails, counting falls back to the process (logged) and serving goes on.' },
  { key: 'logRetentionDays', flag: '--log-retention-days', env: ['SCOPEWARD_LOG_RETENTION_DAYS'], kind: 'integer', default: 30, description: 'Tenant log events (GET /api/v2/logs) older than this are deleted, hourly.' },
  { key: 'logStreamTimeoutSeconds', flag: '--log-stream-timeout-seconds', env: ['SCOPEWARD_LOG_STREAM_TIMEOUT_SECONDS'], kind: 'integer', default: 10, description: 'A log stream receiver that has not answered a delivery within this many seconds has failed it (retried with backoff).' },
  { key: 'logStreamRetryMaxSeconds', flag: '--log-stream-retry-max-seconds', env: ['SCOPEWARD_LOG_STREAM_RETRY_MAX_SECONDS'], kind: 'integer', default: 300, description: 'The longest wait between two attempts to deliver to a failing log stream (the wait starts at 1 s and doubles, with jitter).' },
  { key: 'logStreamSuspendAfterSeconds', flag: '--log-stream-suspend-after-seconds', env: ['SCOPEWARD_LOG_STREAM_SUSPEND_AFTER_SECONDS'], kind: 'integer', default: 604800, description: "A log stream whose receiver has failed every attempt for this long is suspended (Auth0: 7 days); its events wait until it is set back to active." },
  { key: 'cacheResyncSeconds', flag: '--cache-resync-seconds', env: ['SCOPEWARD_CACHE_RESYNC_SECONDS'], kind: 'integer', default: 30, description: 'Every instance marks its caches for reloading this often, bounding staleness if a change notification is missed.' },
  { key: 'shutdownTimeoutSeconds', flag: '--shutdown-timeout-seconds', env: ['SCOPEWARD_SHUTDOWN_TIMEOUT_SECONDS'], kind: 'integer', default: 10, description: 'On SIGTERM/SIGINT, how long in-flight requests may take before connections are cut.' },
  { key: 'handshakeTimeoutSeconds', flag: '--handshake-timeout-seconds', env: ['SCOPEWARD_HANDSHAKE_TIMEOUT_SECONDS'], kind: 'integer', default: DEFAULT_HTTP_TIMEOUTS.handshakeSeconds, description: 'An HTTPS connection that has not finished its TLS handshake this many seconds after it opened (one that never sends a byte included) is closed.' },
  { key: 'headersTimeoutSeconds', flag: '--headers-timeout-seconds', env: ['SCOPEWARD_HEADERS_TIMEOUT_SECONDS'], kind: 'integer', default: DEFAULT_HTTP_TIMEOUTS.headersSeconds, description: 'A request line and headers must arrive within this many seconds (a connection that sends no request, or trickles its headers, gets 408 and is closed; checked every second). At most --request-timeout-seconds.' },
  { key: 'requestTimeoutSeconds', flag: '--request-timeout-seconds', env: ['SCOPEWARD_REQUEST_TIMEOUT_SECONDS'], kind: 'integer', default: DEFAULT_HTTP_TIMEOUTS.requestSeconds, description: 'A whole request, headers and body, must arrive within this many seconds (else 408 and closed); a connection with no traffic either way for this long is closed too.' },
  { key: 'keepAliveTimeoutSeconds', flag: '--keep-alive-timeout-seconds', env: ['SCOPEWARD_KEEP_ALIVE_TIMEOUT_SECONDS'], kind: 'integer', default: DEFAULT_HTTP_TIMEOUTS.keepAliveSeconds, description: 'A keep-alive connection idle this many seconds after its last response is closed (Node adds 1 s of grace).' },
  { key: 'metricsPort', flag: '--metrics-port', env: ['SCOPEWARD_METRICS_PORT'], kind: 'integer', description: 'Serve Prometheus metrics at `/metrics` on this port, a listener of its own (plain HTTP). Unset: metrics are off, no listener opens and nothing is counted.' },
  { key: 'metricsHost', flag: '--metrics-host', env: ['SCOPEWARD_METRICS_HOST'], kind: 'string', default: '127.0.0.1', description: 'Interface the metrics listener binds: loopback unless you name another (it has no authentication; keep it off public networks).' },
  { key: 'metricsClientLabels', flag: '--metrics-client-labels', env: ['SCOPEWARD_METRICS_CLIENT_LABELS'], kind: 'boolean', default: false, description: 'Add a `client_id` label to the token and refusal counters: one series per application, so only for a bounded number of them.' },
];
