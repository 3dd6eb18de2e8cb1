// Lint rules that guard correctness: awaited promises everywhere, deterministic workflow code, SQL built with parameters.
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

/**
 * SQL is built with parameters ($1, :name), never by pasting values into its text. Refused in libs/, apps/,
 * scripts/ and migrations/: a template literal with an interpolation or a `+` concatenation as the SQL argument
 * of `.query(`, `.where(` and the other query-builder methods taking raw SQL (directly or in a branch of `?:`,
 * `&&`, `||`), an array's `.join(` there, and any template literal that reads as SQL (an upper-case
 * SELECT, INSERT INTO, UPDATE … SET, DELETE FROM, WHERE, JOIN, ORDER BY, GROUP BY, LIMIT, VALUES, or DDL) with an
 * interpolation, wherever it is built. The one thing SQL text may interpolate is a fragment of constant SQL: an
 * upper-case name ending in `_SQL` (`OPEN_TICKET_SQL`), or a call of one with literal arguments only
 * (`OPEN_TICKET_SQL('t')`: a table alias). Such names are defined only with the predicates in
 * libs/persistence/src/ticket-predicates.ts and the reports' libs/reports/src/report-sql.ts, the two files allowed
 * to compose SQL from constants (SQL_COMPOSING_FILES). An identifier that truly must be pasted elsewhere says why
 * in an eslint-disable comment (libs/http/src/page.ts: the caller's constant ordering expression), or is quoted by
 * PostgreSQL itself (`format('… %I', $1)`, for DDL, which takes no parameters).
 */
export const SQL_METHODS = [
  'query',
  'where',
  'andWhere',
  'orWhere',
  'having',
  'andHaving',
  'orHaving',
  'orderBy',
  'addOrderBy',
  'groupBy',
  'addGroupBy',
  'select',
  'addSelect',
  'distinctOn',
  'from',
  'innerJoin',
  'leftJoin',
  'innerJoinAndSelect',
  'leftJoinAndSelect',
  'innerJoinAndMapOne',
  'innerJoinAndMapMany',
  'leftJoinAndMapOne',
  'leftJoinAndMapMany',
  'onConflict',
  'returning',
  'createQueryBuilder',
];
const SQL_CALL = `CallExpression[callee.type='MemberExpression'][callee.property.name=/^(${SQL_METHODS.join('|')})$/]`;
const SQL_FRAGMENT = [
  'Identifier[name=/^[A-Z][A-Z0-9_]*_SQL$/]',
  'CallExpression[callee.name=/^[A-Z][A-Z0-9_]*_SQL$/]:not(:has(> Identifier.arguments, > TemplateLiteral.arguments, > CallExpression.arguments, > MemberExpression.arguments, > BinaryExpression.arguments))',
].join(', ');
const SQL_TEXT = String.raw`\b(SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM|WHERE|JOIN|ORDER BY|GROUP BY|LIMIT|OFFSET|VALUES|ALTER|CREATE|DROP|TRUNCATE|GRANT)\b`;
const SQL_MESSAGE =
  'Build SQL with parameters ($1 or :name and a parameters argument), not by pasting values into its text; only constant fragments named *_SQL may be interpolated (see SQL_METHODS in eslint.config.mjs).';
const sqlArgumentRules = [
  { selector: `${SQL_CALL} > TemplateLiteral.arguments > :not(TemplateElement, ${SQL_FRAGMENT})`, message: SQL_MESSAGE },
  { selector: `${SQL_CALL} > BinaryExpression[operator='+'].arguments`, message: SQL_MESSAGE },
  { selector: `${SQL_CALL} > :matches(ConditionalExpression, LogicalExpression).arguments > TemplateLiteral > :not(TemplateElement, ${SQL_FRAGMENT})`, message: SQL_MESSAGE },
  { selector: `${SQL_CALL} > :matches(ConditionalExpression, LogicalExpression).arguments > BinaryExpression[operator='+']`, message: SQL_MESSAGE },
  { selector: `${SQL_CALL} > CallExpression.arguments[callee.property.name=/^(join|concat)$/]`, message: SQL_MESSAGE },
];
const sqlFragmentDefinitionRule = {
  selector: ':matches(VariableDeclarator, FunctionDeclaration) > Identifier.id[name=/^[A-Z][A-Z0-9_]*_SQL$/]',
  message: 'SQL fragments (*_SQL) are defined in libs/persistence/src/ticket-predicates.ts or libs/reports/src/report-sql.ts, from constants only.',
};
const sqlTextRule = {
  // Not on a template the rules above already refuse as an argument (one report per interpolation).
  selector: `TemplateLiteral:not(${SQL_CALL} > .arguments, ${SQL_CALL} > :matches(ConditionalExpression, LogicalExpression) > *):has(> TemplateElement[value.raw=/${SQL_TEXT}/]) > :not(TemplateElement, ${SQL_FRAGMENT})`,
  message: SQL_MESSAGE,
};
const SQL_SCOPE = ['libs/**/*.ts', 'apps/**/*.ts', 'scripts/**/*.ts', 'migrations/**/*.ts'];
/** The files that compose SQL from constants (stage names, statuses, aliases): their values still travel as $n. */
const SQL_COMPOSING_FILES = ['libs/persistence/src/ticket-predicates.ts', 'libs/reports/src/report-sql.ts'];

export default tseslint.config(
  // The console (Vue single-file components) is type-checked by vue-tsc (npm run typecheck), not linted here.
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.data/**', 'coverage/**', 'test-output/**', 'apps/console/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
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
  {
    files: SQL_SCOPE,
    rules: { 'no-restricted-syntax': ['error', ...sqlArgumentRules, sqlTextRule, sqlFragmentDefinitionRule] },
  },
  {
    files: SQL_COMPOSING_FILES,
    rules: { 'no-restricted-syntax': ['error', ...sqlArgumentRules] },
  },
);
