import { DataSource } from 'typeorm';
import { addressPlace, DEFAULT_SLA_POLICIES } from '@app/domain';
import type { District } from '@app/domain';
import { dataSourceOptions } from '@app/persistence';
import { MIGRATIONS } from '../../migrations';
import { Hotspots1764800000002 } from '../../migrations/1764800000002-Hotspots';
import { createTestDatabase, TestDatabase } from '../support/test-env';

/** Addresses of tickets stored before the upgrade, as operators typed them. */
const ADDRESSES: ReadonlyArray<readonly [District, string]> = [
  ['NANKAI', '南开区鞍山西道100号3门201'],
  ['NANKAI', '鞍山西道１００号三单元３０２'],
  ['NANKAI', '华苑小区居华里6-2-301'],
  ['HEXI', '河西区友谊路35号2号楼3单元502'],
  ['XIQING', '梅江南水岸花园5号楼2单元301'],
  ['NANKAI', '华苑小区'],
  ['HEPING', '请尽快派人处理'],
];
const TICKETS = 2_345; // more than two back-fill batches

/**
 * Upgrading a database with tickets of the previous release: every ticket gets the community and building
 * keys its address names, exactly as a ticket created now would (addressPlace), and the migration undoes.
 */
describe('migration Hotspots on a database with data', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
    const before = MIGRATIONS.findIndex((migration) => migration.name === 'Hotspots1764800000002');
    expect(before).toBeGreaterThan(0);
    const previous = await new DataSource({ ...dataSourceOptions({ url: database.url }), migrations: MIGRATIONS.slice(0, before) }).initialize();
    await previous.runMigrations({ transaction: 'each' });
    const [{ id: companyId }] = await previous.query(`INSERT INTO companies (code, name, districts) VALUES ('OLD', '旧热力', '{NANKAI}') RETURNING id`);
    await previous.query(
      `INSERT INTO tickets (id, number, status, category, priority, channel, district, address, address_key, citizen_name,
                            citizen_phone, description, company_id, dispatched_at, policy_version, policy)
       SELECT gen_random_uuid(), 'OLD-' || i, 'CLOSED', 'NOT_WARM', 'P1', 'PHONE', ($1::text[])[1 + i % $3], ($2::text[])[1 + i % $3], 'k' || i,
              '王女士', '13812345678', '冷', $4, now(), 1, $5
         FROM generate_series(1, $6) i`,
      [ADDRESSES.map(([district]) => district), ADDRESSES.map(([, address]) => address), ADDRESSES.length, companyId, { priority: 'P1', version: 1, ...DEFAULT_SLA_POLICIES.P1 }, TICKETS],
    );
    await previous.destroy();
    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
    expect((await dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name)).toContain('Hotspots1764800000002');
  }, 120_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('gives every ticket its address’s community and building, as addressPlace reads them', async () => {
    const rows: Array<{ district: District; address: string; community_key: string | null; building_key: string | null; count: number }> = await dataSource.query(
      `SELECT district, address, community_key, building_key, count(*)::int AS count FROM tickets GROUP BY 1, 2, 3, 4 ORDER BY 1, 2`,
    );
    expect(rows.reduce((total, row) => total + row.count, 0)).toBe(TICKETS);
    expect(rows).toHaveLength(ADDRESSES.length); // one key pair per address, whichever batch its tickets were in
    for (const row of rows) {
      const place = addressPlace(row.district, row.address);
      expect({ address: row.address, communityKey: row.community_key, buildingKey: row.building_key }).toEqual({ address: row.address, ...place });
    }
    expect(rows.find((row) => row.address === '鞍山西道１００号三单元３０２')?.building_key).toBe('南开区 鞍山西道100号 3门');
  });

  it('undoes: the columns and the index go, and a second run keys the tickets again', async () => {
    const migration = new Hotspots1764800000002();
    const runner = dataSource.createQueryRunner();
    try {
      await migration.down(runner);
    } finally {
      await runner.release();
    }
    const columns: Array<{ column_name: string }> = await dataSource.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'tickets' AND column_name IN ('community_key', 'building_key')`,
    );
    expect(columns).toEqual([]);
    expect(await dataSource.query(`SELECT indexname FROM pg_indexes WHERE indexname = 'idx_tickets_building_created'`)).toEqual([]);
    const again = dataSource.createQueryRunner();
    try {
      await migration.up(again);
    } finally {
      await again.release();
    }
    const [{ keyed }] = await dataSource.query(`SELECT count(building_key)::int AS keyed FROM tickets`);
    expect(keyed).toBeGreaterThan(0);
  });
});
