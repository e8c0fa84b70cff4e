// One lint over every workspace's source, tests, testkit and bench, with the type checker's
// knowledge (each file is linted against the tsconfig that type-checks it).
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**', 'test-artifacts/**', 'data/**'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A leading underscore is how a parameter says it is there for a signature only.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // node:test's describe/it/before/after return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
    },
  },
  {
    // Tests read the hub's answers as parsed JSON (`any`), which testkit hands them, and assert
    // on their fields: the assertion is the type check there, so no-unsafe-* would only add casts.
    files: ['**/test/**/*.ts', 'bench/**/*.ts', 'testkit/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Fakes and callbacks in tests implement promise-returning signatures; `async` says so plainly.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Fastify takes a plugin or hook either async or with a `done` callback: an async one with no
    // await is its documented style (FastifyPluginAsync), as are the EventLog's async-by-contract methods.
    files: ['hub/src/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['dashboard/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat['recommended-latest']],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
  // Every eslint-disable says why on its own line (`-- reason`).
  comments.recommended,
  {
    rules: { '@eslint-community/eslint-comments/require-description': 'error' },
  },
);
