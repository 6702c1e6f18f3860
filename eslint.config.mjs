// Lint: the layers the architecture describes, enforced; promises never left floating; no unused code.
//
//   src/core, src/cli, src/sdk  import neither `vscode` nor the emulator (they run in a plain Node process)
//   src/extension               imports neither the emulator nor the CLI
//
// Type-aware rules read the TypeScript projects (tsconfig.json) through typescript-eslint's project service.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const VSCODE = { name: 'vscode', message: 'core and the CLI run outside VS Code: keep `vscode` in src/extension.' };
const EMULATOR = { group: ['**/emulator', '**/emulator/**'], message: 'the emulator is a test and demo tool; it does not ship.' };
const CLI = { group: ['**/cli', '**/cli/**'], message: 'the extension uses core, not the CLI.' };

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', '.vscode-test/**', 'node_modules/**', 'test-results/**', '**/*.d.mts'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-unused-expressions': 'error',
      'no-unreachable': 'error',
      // TypeScript checks these better than the rules do.
      'no-undef': 'off',
      'no-redeclare': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/sdk/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [VSCODE], patterns: [EMULATOR] }] },
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [EMULATOR, CLI] }] },
  },
  {
    // The log view's webview script runs in the browser, where VS Code defines acquireVsCodeApi.
    files: ['media/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'script', globals: { acquireVsCodeApi: 'readonly', window: 'readonly', document: 'readonly', HTMLElement: 'readonly', requestAnimationFrame: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', navigator: 'readonly', console: 'readonly' } },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { performance: 'readonly', process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', require: 'writable', module: 'writable', __dirname: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly' } },
  },
);
