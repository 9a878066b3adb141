// scopeward scopes-for "GET /api/v2/clients" "POST /api/v2/clients" — the scopes each call
// accepts and the smallest set that admits them all.
import type { Command } from 'commander';
import { MANAGEMENT_ROUTES } from '../../management/routes.ts';
import { endpointScopes, minimalScopes, type EndpointScopes } from '../../management/scope-plan.ts';
import { CliError, EXIT } from '../errors.ts';
import { print } from '../store.ts';

export function scopesForCommand(program: Command): void {
  program
    .command('scopes-for')
    .description('Show the scopes each Management API endpoint accepts and the smallest set covering them all.')
    .argument('<endpoints...>', 'endpoints like "GET /api/v2/clients" or "PATCH /api/v2/clients/{id}"')
    .option('--json', 'print JSON')
    .action((endpoints: string[], options: Record<string, unknown>) => {
      const found: EndpointScopes[] = [];
      const unknown: string[] = [];
      for (const e of endpoints) {
        const r = endpointScopes(MANAGEMENT_ROUTES, e);
        if (r) found.push(r);
        else unknown.push(e);
      }
      if (unknown.length > 0) {
        const known = MANAGEMENT_ROUTES.map((r) => `  ${r.method} /api/v2${r.url.replace(/:(\w+)/g, '{$1}')}`).join('\n');
        throw new CliError(`unknown endpoint(s): ${unknown.map((u) => JSON.stringify(u)).join(', ')}\nknown endpoints:\n${known}`, EXIT.usage);
      }
      const minimal = minimalScopes(found);
      print(
        options.json === true,
        { endpoints: found.map((f) => ({ endpoint: f.endpoint, scopes: f.scopes, mode: f.mode })), minimal },
        [
          ...found.map((f) => `${f.endpoint}\n  ${f.mode === 'all' ? 'needs all of' : 'accepts any of'}: ${f.scopes.join(' ')}`),
          '',
          `smallest set: ${minimal.join(' ')}`,
        ],
      );
    });
}
