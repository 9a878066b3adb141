// scopeward dev — a throwaway server for local development and CI: in memory, HTTPS on localhost
// with a CA in a temporary directory (or --http), an application with fixed credentials holding
// every Management API scope, an optional seed (a Deploy CLI tenant.yaml), and nothing left behind
// when it stops (SIGINT or SIGTERM remove the temporary directory).
import { rmSync } from 'node:fs';
import type { Command } from 'commander';
import { describePlan, ImportStopped } from '../../config-as-code/apply.ts';
import { FileError } from '../../config-as-code/tenant-file.ts';
import type { DevServer } from '../../dev/dev-server.ts';
import { runCommand, type RunningCommand } from '../../dev/run-command.ts';
import { CliError, EXIT } from '../errors.ts';
import { keywordMappings, readText, withKeywordOptions } from '../keyword-options.ts';

/** Fixed, so tests and .env files can name them; this server holds nothing worth protecting. */
const DEV_CLIENT_ID = 'scopeward-dev-client';
const DEV_CLIENT_SECRET = 'scopeward-dev-client-secret';

function port(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`--port: ${String(value)} is not a port number (0 picks a free one)`, EXIT.usage);
  return n;
}

function banner(s: DevServer, seedFile: string | undefined): string[] {
  const lines = [
    `Scopeward dev server on ${s.url} (in memory: nothing is kept when it stops)`,
    `  domain:        ${s.domain}`,
    `  issuer:        ${s.issuer}`,
    `  client_id:     ${s.clientId}`,
    `  client_secret: ${s.clientSecret}`,
    `  audience:      ${s.audience} (every Management API scope)`,
  ];
  if (s.caCertPath) lines.push(`  local CA:      ${s.caCertPath}`, `  trust it with: export NODE_EXTRA_CA_CERTS=${s.caCertPath}`);
  if (s.seeded && seedFile) lines.push(`  seed:          ${seedFile}`, ...describePlan(s.seeded.plan).map((l) => `    ${l}`));
  lines.push('Ready. Stop it with Ctrl-C or SIGTERM; its temporary directory goes with it.');
  return lines;
}

/** Ends the process once the server is closed (its temporary directory with it). */
function closeAndExit(server: DevServer, code: number): void {
  server.close().then(
    () => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`scopeward: stopping failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}

export function devCommand(program: Command): void {
  const command = program
    .command('dev')
    .argument('[command...]', 'after --: a command to run against the server (a test suite); the server stops when it ends, with its exit code')
    .description('Start a throwaway in-memory server for development and CI: HTTPS on localhost, fixed credentials, an optional seed file.');
  withKeywordOptions(command)
    .option('--seed <file>', 'a Deploy CLI tenant.yaml to apply at start (as `scopeward import` would)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (or SCOPEWARD_DEV_PORT)', process.env.SCOPEWARD_DEV_PORT ?? '8443')
    .option('--http', 'serve plain HTTP instead of HTTPS (issuers stay https://)')
    .option('--client-id <id>', 'client_id of the application with every Management API scope (or SCOPEWARD_DEV_CLIENT_ID)', process.env.SCOPEWARD_DEV_CLIENT_ID ?? DEV_CLIENT_ID)
    .option('--client-secret <secret>', 'its client_secret (or SCOPEWARD_DEV_CLIENT_SECRET)', process.env.SCOPEWARD_DEV_CLIENT_SECRET ?? DEV_CLIENT_SECRET)
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', process.env.SCOPEWARD_LOG_LEVEL ?? 'warn')
    .option('--json', 'when ready, print one JSON line (url, domain, client_id, client_secret, ca_cert, ...) instead of the banner')
    .action(async (commandArgs: string[], options: Record<string, unknown>) => {
      const seedFile = typeof options.seed === 'string' ? options.seed : undefined;
      const seed = seedFile === undefined ? undefined : { text: readText(seedFile, 'seed file'), origin: seedFile, mappings: keywordMappings(options) };
      // Handlers first: a signal during start-up waits for it, then stops cleanly (no directory left).
      let server: DevServer | undefined;
      let running: RunningCommand | undefined;
      let pending: NodeJS.Signals | undefined;
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        if (!server) {
          pending = signal;
          return;
        }
        // With a command, it is asked to stop; its end closes the server.
        if (running) return running.kill(signal);
        if (stopping) return;
        stopping = true;
        closeAndExit(server, 0);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);

      const { startDev } = await import('../../dev/dev-server.ts');
      try {
        server = await startDev({
          port: port(options.port),
          host: 'localhost',
          http: options.http === true,
          clientId: String(options.clientId),
          clientSecret: String(options.clientSecret),
          logLevel: String(options.logLevel),
          ...(seed && { seed }),
        });
      } catch (error) {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
        if (error instanceof FileError) throw new CliError(`seed: ${error.message}`, EXIT.usage);
        if (error instanceof ImportStopped) throw new CliError(`seed: ${error.message}`, EXIT.rejected);
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${String(options.port)} is in use: choose another with --port (0 picks a free one)`, EXIT.usage);
        throw error;
      }
      const { tempDir } = server;
      // Should the process end any other way, the directory still goes (the signals close the server first).
      process.on('exit', () => rmSync(tempDir, { recursive: true, force: true }));
      if (pending) return stop(pending);

      const s = server;
      if (options.json === true) {
        process.stdout.write(
          `${JSON.stringify({ url: s.url, domain: s.domain, issuer: s.issuer, audience: s.audience, client_id: s.clientId, client_secret: s.clientSecret, ca_cert: s.caCertPath ?? null, temp_dir: tempDir })}\n`,
        );
      } else if (commandArgs.length === 0) {
        process.stdout.write(`${banner(s, seedFile).join('\n')}\n`);
      }
      if (commandArgs.length === 0) return;
      // The command's output is the output: one line about the server, on stderr.
      if (options.json !== true) process.stderr.write(`scopeward dev: ${s.url} ready (client_id ${s.clientId}); running ${commandArgs.join(' ')}\n`);
      running = runCommand(commandArgs, s);
      const code = await running.exited;
      running = undefined;
      closeAndExit(s, code);
    });
}
