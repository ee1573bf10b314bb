// Lint: the mistakes a type checker lets through and a reviewer misses — a promise nobody awaits or
// catches (an unhandled rejection crashes the process), a promise where a callback's result is ignored,
// a switch over a union that forgot a member. Type-aware, so it reads the same tsconfig as the build.
// Formatting is prettier's (`npm run lint` runs both); import cycles are checked by test/setup/import-graph.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/build/**', 'examples/plugins/**', 'test/wasm/fixtures/**', 'src/admin/dashboard/**/*.js'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe() return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  // No `any` in what other modules (and users of the SDK) see; tests may poke at loose JSON.
  { files: ['src/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'error' } },
);
