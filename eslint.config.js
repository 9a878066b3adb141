// Lint: typescript-eslint's recommended type-aware rules, plus the direction of imports between
// the folders of src/ as import restrictions (docs/architecture.md, issue 11).
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers of src/, top to bottom. A folder (or root file) imports only from lines below its
// own, never from a neighbour on its line; so no two folders can import each other.
//
//   cli                             the command line; `scopeward serve` starts main.ts
//   main.ts  dev                    composition roots: the server's process lifecycle; `scopeward dev`
//   config  runtime.ts  config-as-code   the configuration schema; the long-lived services around
//                                   the app; export/import of tenant.yaml (a Management API client)
//   http                            Fastify: hosts, parsers, errors, TLS, the audiences' routes
//   oauth  management  login        the Authentication API, the Management API, the login pages
//   provisioning  cache  audit      tenant set-up; caches and change notification; the tenant log
//   tokens  ratelimit               JWT issuing, verification and signing keys; rate limits
//   domain                          the rules and values of the model (clock, ids, tenants, users)
//   crypto  storage                 envelope encryption and certificates; the storage ports and adapter
//   schemas  observability          TypeBox shapes of the Auth0 resources; the metrics facade
//                                   (prom-client) every layer above counts through
//
// Besides: only cli, main.ts and dev (its in-memory one) open the database (storage/kysely); everyone else uses the ports.
// Fastify stays in http (and management/register.ts, the Management API's adapter), SQL in storage
// (and the PostgreSQL change bus, cache/bus.ts, which speaks LISTEN/NOTIFY).
const LAYERS = [['cli'], ['main.ts', 'dev'], ['config', 'runtime.ts', 'config-as-code'], ['http'], ['oauth', 'management', 'login'], ['provisioning', 'cache', 'audit'], ['tokens', 'ratelimit'], ['domain'], ['crypto', 'storage'], ['schemas', 'observability']];

/** Packages each unit may not import, beyond the layers. */
const NO_FASTIFY = { regex: '^fastify(/|$)', message: 'Fastify stays in http/ (and management/register.ts): the layers below take plain typed input.' };
const NO_SQL = { regex: '^(kysely|pg)(/|$)', message: 'SQL stays in storage/: the layers above use the storage ports.' };
const NO_ADAPTER = { group: ['**/storage/kysely/**'], message: 'Only cli and main.ts open the database; everything else uses the storage ports (storage/ports.ts).' };
const PACKAGES = {
  cli: [NO_FASTIFY, NO_SQL],
  'main.ts': [NO_FASTIFY, NO_SQL],
  dev: [NO_FASTIFY, NO_SQL],
  config: [NO_FASTIFY, NO_SQL, NO_ADAPTER],
  'runtime.ts': [NO_FASTIFY, NO_SQL, NO_ADAPTER],
  http: [NO_SQL, NO_ADAPTER],
  storage: [NO_FASTIFY],
  cache: [NO_FASTIFY, { regex: '^kysely(/|$)', message: NO_SQL.message }, NO_ADAPTER],
};
const packagesOf = (unit) => PACKAGES[unit] ?? [NO_FASTIFY, NO_SQL, NO_ADAPTER];

const unitPattern = (unit) => (unit.endsWith('.ts') ? `**/${unit}` : `**/${unit}/**`);

/** `files` may not import `patterns` (no-restricted-imports groups with their messages). */
const layer = (files, patterns, ignores = []) => ({ files, ignores, rules: { 'no-restricted-imports': ['error', { patterns }] } });

/** One rule per unit: nothing from its own line or above, none of its forbidden packages. */
function layerRules() {
  const units = LAYERS.flat();
  const unplaced = readdirSync(`${import.meta.dirname}/src`).filter((name) => !units.includes(name));
  if (unplaced.length > 0) throw new Error(`eslint.config.js: place ${unplaced.join(', ')} in LAYERS (every folder of src/ has a layer)`);
  return LAYERS.flatMap((line, depth) =>
    line.map((unit) => {
      const above = LAYERS.slice(0, depth).flat().map((u) => ({ group: [unitPattern(u)], message: `${unit} sits below ${u}: imports go down the layers (eslint.config.js).` }));
      const beside = line.filter((u) => u !== unit).map((u) => ({ group: [unitPattern(u)], message: `${unit} and ${u} share a layer: neither imports the other (eslint.config.js).` }));
      const patterns = [...above, ...beside, ...packagesOf(unit)];
      if (unit !== 'management') return layer([`src/${unit.endsWith('.ts') ? unit : `${unit}/**`}`], patterns);
      // register.ts mounts the Management API's routes on Fastify; its other imports obey the layer.
      return [layer(['src/management/**'], patterns, ['src/management/register.ts']), layer(['src/management/register.ts'], patterns.filter((p) => p !== NO_FASTIFY))];
    }),
  ).flat();
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'dashboard/dist/**', 'test-results/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['bin/*.js', '*.js'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use node:crypto (T-SEC-03): ids and secrets come from the CSPRNG.' }],
      eqeqeq: ['error', 'always'],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked, languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  ...layerRules(),
  {
    // The dashboard runs in the browser: DOM globals, and its own tsconfig (found by the project service).
    files: ['dashboard/**/*.{ts,tsx}'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', history: 'readonly', fetch: 'readonly', sessionStorage: 'readonly', atob: 'readonly', btoa: 'readonly', crypto: 'readonly' } },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
