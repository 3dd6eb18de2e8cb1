// Lint rules that guard correctness: awaited promises everywhere, and deterministic workflow code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/** Workflow code runs in Temporal's deterministic sandbox: no I/O, no framework, no Node built-ins. */
const NODE_BUILTINS = builtinModules.flatMap((name) => [name, `node:${name}`]);
export const WORKFLOW_FORBIDDEN_PACKAGES = [
  '@nestjs/*',
  'typeorm',
  'typeorm/*',
  'pg',
  'pg/*',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@app/persistence',
  '@app/config',
  '@app/temporal',
  '@app/tickets',
  '@app/sla',
  '@app/http',
  '@app/health',
  '@app/devstack',
  '@app/auth',
  '@app/companies',
  '@app/escalations',
  '@app/metrics',
  'prom-client',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.data/**', 'coverage/**', 'test-output/**', '**/*.js', '**/*.mjs'] },
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
    files: ['libs/workflows/src/**/*.ts'],
    ignores: ['libs/workflows/src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.map((name) => ({ name, message: 'Workflow code cannot use Node built-ins; do I/O in activities.' })),
          patterns: [
            {
              group: WORKFLOW_FORBIDDEN_PACKAGES,
              message: 'Workflow code must stay deterministic: import only @temporalio/workflow and @app/domain; do I/O in activities.',
            },
          ],
        },
      ],
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
