import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The lint rules that keep workflow code deterministic, promises awaited and SQL parameterised really fire (a rule
 * that cannot fail guards nothing).
 */
describe('lint guard', () => {
  const root = join(__dirname, '../..');
  const probes: Record<string, { file: string; code: string }> = {
    fs: { file: 'libs/workflows/src', code: "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n" },
    nest: { file: 'libs/workflows/src', code: "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n" },
    typeorm: { file: 'libs/workflows/src', code: "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n" },
    pg: { file: 'libs/workflows/src', code: "import { Client } from 'pg';\nexport const x = Client;\n" },
    persistence: { file: 'libs/workflows/src', code: "import { TicketEntity } from '@app/persistence';\nexport const x = TicketEntity;\n" },
    // The guard is an allow-list: libs and packages nobody named are refused too (modules need not exist).
    reports: { file: 'libs/workflows/src', code: "import { ReportsService } from '@app/reports';\nexport const x = ReportsService;\n" },
    newLib: { file: 'libs/workflows/src', code: "import { anything } from '@app/some-new-lib';\nexport const x = anything;\n" },
    newLibType: { file: 'libs/workflows/src', code: "import type { Anything } from '@app/some-new-lib';\nexport type X = Anything;\n" },
    luxon: { file: 'libs/workflows/src', code: "import { DateTime } from 'luxon';\nexport const x = DateTime;\n" },
    lodash: { file: 'libs/workflows/src', code: "import { sortBy } from 'lodash';\nexport const x = sortBy;\n" },
    activitySdk: { file: 'libs/workflows/src', code: "import { Context } from '@temporalio/activity';\nexport const x = Context;\n" },
    reexport: { file: 'libs/workflows/src', code: "export * from '@app/tickets';\n" },
    // A relative path out of libs/workflows/src is another lib by a back door.
    escape: { file: 'libs/workflows/src', code: "import { TicketsService } from '../../tickets/src';\nexport const x = TicketsService;\n" },
    escapeNested: { file: 'libs/workflows/src/first-release', code: "import { TicketsService } from '../../../tickets/src';\nexport const x = TicketsService;\n" },
    allowed: {
      file: 'libs/workflows/src',
      code: "import { sleep } from '@temporalio/workflow';\nimport { STAGES } from '@app/domain';\nexport async function w(): Promise<number> {\n  await sleep(1);\n  return STAGES.length;\n}\n",
    },
    allowedTypes: {
      file: 'libs/workflows/src',
      code: "import type { Stage } from '@app/domain';\nimport type { ArmedRung } from './contract';\nexport type X = [Stage, ArmedRung];\n",
    },
    allowedRelative: {
      file: 'libs/workflows/src',
      code: "import { ticketWorkflowId } from './contract';\nimport { orderRungs } from './rung-order';\nexport const x = [ticketWorkflowId, orderRungs];\n",
    },
    allowedParent: {
      file: 'libs/workflows/src/first-release',
      code: "import { ticketWorkflowId } from '../contract';\nimport { ticketStateQuery } from './contract.v1';\nexport const x = [ticketWorkflowId, ticketStateQuery];\n",
    },
    floating: { file: 'libs/tickets/src', code: 'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n' },
    // SQL built from strings: a value pasted into the text of a query, however it gets there.
    ...Object.fromEntries(
      Object.entries({
        sqlTemplate: "export const q = (db: DataSource, id: string) => db.query(`SELECT * FROM tickets WHERE id = '${id}'`);\n",
        sqlConcat: "export const q = (db: DataSource, id: string) => db.query('SELECT * FROM tickets WHERE id = ' + id);\n",
        sqlWhere: "export const q = (db: DataSource, n: string) => db.createQueryBuilder().from('tickets', 't').where(`t.number = '${n}'`).getRawMany();\n",
        sqlOrderBy: "export const q = (db: DataSource, c: string) => db.createQueryBuilder().from('tickets', 't').orderBy(`t.${c}`).getRawMany();\n",
        sqlBranch: "export const q = (db: DataSource, id: string, all: boolean) => db.query(all ? 'SELECT * FROM tickets' : `SELECT * FROM tickets WHERE id = '${id}'`);\n",
        sqlJoined: "export const q = (db: DataSource, id: string) => db.query(['SELECT * FROM tickets WHERE id =', id].join(' '));\n",
        sqlVariable: "export const q = (db: DataSource, id: string) => {\n  const sql = `DELETE FROM tickets WHERE id = '${id}'`;\n  return db.query(sql);\n};\n",
        sqlFragmentWithValue: "import { OPEN_TICKET_SQL } from '@app/persistence';\nexport const q = (db: DataSource, alias: string) => db.query(`SELECT 1 FROM tickets t WHERE ${OPEN_TICKET_SQL(alias)}`);\n",
        // A fragment of one's own would be a way round the rule: they live in the two files that compose SQL.
        sqlFragmentDefined: "export const FILTER_SQL = (id: string): string => `t.id = '${id}'`;\nexport const q = (db: DataSource, id: string) => db.query(`SELECT 1 FROM tickets t WHERE ${FILTER_SQL}`, [id]);\n",
        sqlParameters:
          "export const q = (db: DataSource, id: string, n: string) => [\n  db.query('SELECT * FROM tickets WHERE id = $1', [id]),\n  db.createQueryBuilder().from('tickets', 't').where('t.number = :n', { n }).orderBy('t.created_at').getRawMany(),\n  db.query(`SELECT count(*) FROM tickets WHERE id = $1`, [`${id}`]),\n];\n",
        sqlConstantFragments:
          "import { OPEN_TICKET_SQL, TICKET_OVERDUE_NOW_SQL } from '@app/persistence';\nexport const q = (db: DataSource, open: boolean) => [\n  db.createQueryBuilder().from('tickets', 't').where(`t.id IS NOT NULL AND ${OPEN_TICKET_SQL('t')}`),\n  db.createQueryBuilder().from('tickets', 't').where(open ? OPEN_TICKET_SQL('t') : `NOT ${OPEN_TICKET_SQL('t')}`),\n  db.query(`SELECT * FROM tickets t WHERE ${TICKET_OVERDUE_NOW_SQL('t')}`),\n];\n",
      }).map(([name, code]) => [name, { file: 'libs/tickets/src', code: `import type { DataSource } from 'typeorm';\n${code}` }]),
    ),
    // …in every folder of code that talks to the database.
    ...Object.fromEntries(
      ['migrations', 'scripts', 'apps/worker/src'].map((file) => [
        `sqlIn-${file.split('/')[0]}`,
        { file, code: "import type { QueryRunner } from 'typeorm';\nexport const q = (runner: QueryRunner, n: number) => runner.query(`UPDATE tickets SET repeat_count = ${n}`);\n" },
      ]),
    ),
  };
  let messagesByProbe: Record<string, string[]> = {};

  // ESLint's flat config is loaded with import(), which jest's module system cannot run: use the real CLI,
  // once, on probe files written beside the code they stand for.
  beforeAll(() => {
    const files = Object.entries(probes).map(([name, probe]) => {
      const path = join(root, probe.file, `lint-probe.${name}.${process.pid}.ts`);
      writeFileSync(path, probe.code);
      return [name, path] as const;
    });
    try {
      const result = spawnSync(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', ...files.map(([, path]) => path)], {
        cwd: root,
        encoding: 'utf8',
      });
      const reports = JSON.parse(result.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string; message: string }> }>;
      messagesByProbe = Object.fromEntries(
        files.map(([name, path]) => [
          name,
          (reports.find((report) => relative(path, report.filePath) === '')?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`),
        ]),
      );
    } finally {
      for (const [, path] of files) rmSync(path, { force: true });
    }
  });

  it.each(['fs', 'nest', 'typeorm', 'pg', 'persistence'])('refuses the %s import in workflow code', (name) => {
    expect(messagesByProbe[name].some((message) => message.startsWith('no-restricted-imports'))).toBe(true);
  });

  it.each(['reports', 'newLib', 'newLibType', 'luxon', 'lodash', 'activitySdk', 'reexport', 'escape', 'escapeNested'])(
    'refuses the %s import, which is not on the allow-list',
    (name) => {
      expect(messagesByProbe[name]).toContainEqual(expect.stringMatching(/^no-restricted-imports: .*may import only @temporalio\/workflow, @app\/domain/));
    },
  );

  it('allows the workflow SDK and the domain', () => {
    expect(messagesByProbe.allowed).toEqual([]);
  });

  it.each(['allowedTypes', 'allowedRelative', 'allowedParent'])('allows the %s imports (domain types, the contract and helpers of libs/workflows/src)', (name) => {
    expect(messagesByProbe[name]).toEqual([]);
  });

  it.each(['sqlTemplate', 'sqlConcat', 'sqlWhere', 'sqlOrderBy', 'sqlBranch', 'sqlJoined', 'sqlVariable', 'sqlFragmentWithValue'])(
    'refuses string-built SQL (%s): values go as parameters',
    (name) => {
      expect(messagesByProbe[name]).toContainEqual(expect.stringMatching(/^no-restricted-syntax: Build SQL with parameters/));
    },
  );

  it('refuses an SQL fragment (*_SQL) defined outside the two files that compose SQL from constants', () => {
    expect(messagesByProbe.sqlFragmentDefined).toEqual([expect.stringMatching(/^no-restricted-syntax: SQL fragments \(\*_SQL\) are defined in/)]);
  });

  it.each(['migrations', 'scripts', 'apps/worker/src'])('refuses string-built SQL in %s', (file) => {
    expect(messagesByProbe[`sqlIn-${file.split('/')[0]}`]).toContainEqual(expect.stringMatching(/^no-restricted-syntax: Build SQL with parameters/));
  });

  it.each(['sqlParameters', 'sqlConstantFragments'])('allows SQL with parameters and constant *_SQL fragments (%s)', (name) => {
    expect(messagesByProbe[name]).toEqual([]);
  });

  it('refuses floating promises anywhere', () => {
    expect(messagesByProbe.floating.some((message) => message.startsWith('@typescript-eslint/no-floating-promises'))).toBe(true);
  });
});
