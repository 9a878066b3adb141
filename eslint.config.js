// Lint: typescript-eslint's recommended type-aware rules, plus the layering of DESIGN.md
// ("http -> oauth/management -> tokens/domain -> storage ports") as import restrictions.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }],
  },
});

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
  layer(['src/storage/**'], ['**/http/**', '**/oauth/**', '**/management/**', '**/tokens/**', '**/cache/**', '**/domain/**', 'fastify'], 'storage is the bottom layer: it knows no HTTP, protocol or cache code.'),
  layer(['src/tokens/**', 'src/domain/**', 'src/crypto/**', 'src/schemas/**'], ['**/http/**', '**/oauth/**', '**/management/**', '**/cache/**', 'fastify', 'kysely', 'pg'], 'tokens/domain sit below the protocol layers and never see Fastify or SQL.'),
  layer(['src/oauth/**'], ['**/http/**', '**/management/**', '**/storage/kysely/**', 'fastify', 'kysely', 'pg'], 'protocol code is framework-free: no Fastify, no SQL.'),
  {
    files: ['src/management/**'],
    ignores: ['src/management/register.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/http/**', '**/oauth/**', '**/storage/kysely/**', 'fastify', 'kysely', 'pg'], message: 'Management handlers are framework-free; register.ts is the only Fastify adapter here.' }] }],
    },
  },
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
