// Lint rules that guard correctness: awaited promises everywhere, and deterministic workflow code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/**
 * Workflow code runs in Temporal's deterministic sandbox: no I/O, no framework, no Node built-ins. Its imports
 * are an allow-list, so a new lib or npm package is refused until someone decides it is deterministic.
 */
const NODE_BUILTINS = builtinModules.flatMap((name) => [name, `node:${name}`]);
export const WORKFLOW_ALLOWED_PACKAGES = ['@temporalio/workflow', '@app/domain'];
const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * `no-restricted-imports` for a file under libs/workflows/src that may climb `maxUp` folders: it refuses
 * every import except the allowed packages and relative imports (the contract, the helpers) that stay
 * inside libs/workflows/src, so `../../tickets/src` is refused like `@app/tickets`.
 */
function workflowImports(maxUp) {
  const packages = WORKFLOW_ALLOWED_PACKAGES.map(escapeRegex).join('|');
  const noClimb = '(?!(?:.*/)?\\.\\.(?:/|$))'; // no `..` segment in the rest of the path
  const relative = [`\\./${noClimb}`, ...(maxUp > 0 ? [`(?:\\.\\./){1,${maxUp}}${noClimb}`] : [])].join('|');
  return [
    'error',
    {
      paths: NODE_BUILTINS.map((name) => ({ name, message: 'Workflow code cannot use Node built-ins; do I/O in activities.' })),
      patterns: [
        {
          regex: `^(?!(?:${packages})$|${relative})`,
          caseSensitive: true,
          message:
            'Workflow code must stay deterministic: it may import only @temporalio/workflow, @app/domain and files of libs/workflows/src (the contract, the helpers); do I/O in activities.',
        },
      ],
    },
  ];
}

export default tseslint.config(
  // The console (Vue single-file components) is type-checked by vue-tsc (npm run typecheck), not linted here.
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.data/**', 'coverage/**', 'test-output/**', 'apps/console/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['libs/workflows/src/*.ts'],
    ignores: ['libs/workflows/src/**/*.spec.ts'],
    rules: { 'no-restricted-imports': workflowImports(0) },
  },
  {
    files: ['libs/workflows/src/*/**/*.ts'],
    ignores: ['libs/workflows/src/**/*.spec.ts'],
    rules: { 'no-restricted-imports': workflowImports(1) },
  },
  {
    files: ['libs/workflows/src/**/*.ts'],
    ignores: ['libs/workflows/src/**/*.spec.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop from @temporalio/workflow.' },
        { name: 'process', message: 'Workflow code has no process environment.' },
      ],
    },
  },
  {
    files: ['scripts/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
