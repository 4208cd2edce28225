import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { sql } from 'kysely';
import { FleetRepository } from '#src/fleet/fleet.repository.js';
import { containerValues, siteValues } from '#src/fleet/fleet.tables.js';
import { PRODUCT_PROFILES } from '#src/profiles/product-profiles.js';
import { ProfilesRepository } from '#src/profiles/profiles.repository.js';
import type { Shipment } from '#src/shipments/shipment.types.js';
import { ShipmentsRepository } from '#src/shipments/shipments.repository.js';
import { isForeignKeyViolation, isUniqueViolation } from '#src/storage/store-errors.js';
import { describeEachStore } from '#test/support/store-dialects.js';

const T0 = Date.UTC(2026, 10, 22, 6, 0, 0);
const HOUR = 3_600_000;

function shipment(i: number, over: Partial<Shipment> = {}): Shipment {
  return {
    id: `SH-${String(i).padStart(3, '0')}`,
    containerId: `C-${i}`,
    originSiteId: 'DC-LYON',
    destinationSiteId: i % 2 === 0 ? 'HM-PARIS' : 'HM-LILLE',
    profileId: 'chilled-4',
    plannedDeparture: new Date(T0 + i * HOUR).toISOString(),
    plannedArrival: new Date(T0 + (i + 6) * HOUR).toISOString(),
    status: 'planned',
    createdBy: 'planner',
    createdAt: new Date(T0).toISOString(),
    ...over,
  };
}

describeEachStore(ShipmentsRepository.name, (current) => {
  let repository: ShipmentsRepository;

  beforeEach(async () => {
    // On both stores the table references the fleet's tables and the profiles'.
    const fleet = new FleetRepository(current().store);
    await fleet.migrated();
    const site = (id: string) => ({ id, name: id, kind: 'warehouse' as const, lat: 0, lon: 0 });
    await fleet.db
      .insertInto('sites')
      .values(
        ['DC-LYON', 'HM-PARIS', 'HM-LILLE'].map((id) =>
          siteValues({ ...site(id), geofence: { type: 'circle', radiusM: 100 } }, 0),
        ),
      )
      .execute();
    await fleet.db
      .insertInto('containers')
      .values(
        Array.from({ length: 20 }, (_, i) =>
          containerValues({ id: `C-${i}`, kind: 'reefer', label: 'c' }, 0),
        ),
      )
      .execute();
    const profiles = new ProfilesRepository(current().store);
    repository = new ShipmentsRepository(current().store, profiles, fleet);
    // Migrates the profiles' scope first: on PostgreSQL the shipments' foreign key needs its table.
    await repository.onModuleInit();
    await profiles.seed([PRODUCT_PROFILES['chilled-4']], T0);
  });

  it('refuses in the database a shipment naming a profile that does not exist, on both stores', async () => {
    await assert.rejects(repository.insert(shipment(1, { profileId: 'no-such-profile' }), T0), (err) =>
      isForeignKeyViolation(err),
    );
    await repository.insert(shipment(2), T0);
    await assert.rejects(
      repository.update(shipment(2, { profileId: 'no-such-profile' }), 'planned', T0),
      (err) => isForeignKeyViolation(err),
    );
    // Nor can the profile a shipment names be deleted under it.
    await assert.rejects(
      sql`DELETE FROM profiles WHERE id = 'chilled-4'`.execute(current().store.db),
      (err) => isForeignKeyViolation(err),
    );
    assert.equal((await repository.find('SH-002'))?.profileId, 'chilled-4');
  });

  it('refuses in the database a shipment naming a container or site that does not exist, on both stores', async () => {
    for (const missing of [
      { containerId: 'no-such-container' },
      { originSiteId: 'no-such-site' },
      { destinationSiteId: 'no-such-site' },
    ])
      await assert.rejects(repository.insert(shipment(3, missing), T0), (err) => isForeignKeyViolation(err));
    await repository.insert(shipment(4), T0);
    // Nor can the container or a site a shipment names be deleted under it.
    for (const statement of [
      sql`DELETE FROM containers WHERE id = 'C-4'`,
      sql`DELETE FROM sites WHERE id = 'DC-LYON'`,
    ])
      await assert.rejects(statement.execute(current().store.db), (err) => isForeignKeyViolation(err));
  });

  it('stores a shipment and reads it back as written, optional fields absent when none', async () => {
    const full = shipment(1, {
      overrides: { temperature: { maxC: 3.5 } },
      carrier: 'Transports Martin',
      reference: 'PO-4411',
    });
    await repository.insert(full, T0);
    await repository.insert(shipment(2), T0);
    assert.deepEqual(await repository.find(full.id), full);
    assert.deepEqual(await repository.find('SH-002'), shipment(2));
    assert.equal(await repository.find('SH-404'), undefined);
  });

  it('refuses a second active shipment for a container in the database, and allows one once the first ended', async () => {
    await repository.insert(shipment(1), T0);
    const second = shipment(2, { containerId: 'C-1' });
    await assert.rejects(repository.insert(second, T0), (err) => isUniqueViolation(err));
    // Whatever the code path: a raw INSERT is refused too, and so is moving a shipment onto the container.
    await assert.rejects(
      sql`INSERT INTO shipments (id, container_id, origin_site_id, destination_site_id, profile_id,
            planned_departure, planned_arrival, status, created_by, created_at, updated_at)
          VALUES ('SH-RAW', 'C-1', 'DC-LYON', 'HM-PARIS', 'chilled-4', 0, 1, 'in_transit', 'x', 0, 0)`.execute(
        current().store.db,
      ),
      (err) => isUniqueViolation(err),
    );
    await repository.insert(shipment(3), T0);
    await assert.rejects(repository.update(shipment(3, { containerId: 'C-1' }), 'planned', T0), (err) =>
      isUniqueViolation(err),
    );
    for (const [from, to] of [
      ['planned', 'in_transit'],
      ['in_transit', 'arrived'],
      ['arrived', 'closed'],
    ] as const)
      assert.equal(await repository.setStatus('SH-001', from, to, T0 + HOUR, T0), true);
    await repository.insert(second, T0);
    // Ended shipments do not count: a second closed or cancelled one on the container is fine.
    assert.equal(await repository.setStatus('SH-002', 'planned', 'cancelled', T0, T0), true);
    await repository.insert(shipment(4, { containerId: 'C-1' }), T0);
    assert.deepEqual((await repository.active()).map((s) => s.id).sort(), ['SH-003', 'SH-004']);
  });

  it('moves the status only from the expected one (compare-and-set), dating it', async () => {
    await repository.insert(shipment(1), T0);
    assert.equal(await repository.setStatus('SH-001', 'in_transit', 'arrived', T0, T0), false);
    assert.equal(await repository.setStatus('SH-001', 'planned', 'in_transit', T0 + HOUR, T0), true);
    assert.equal(await repository.setStatus('SH-001', 'planned', 'cancelled', T0, T0), false);
    const moved = await repository.find('SH-001');
    assert.equal(moved?.status, 'in_transit');
    assert.equal(moved?.departedAt, new Date(T0 + HOUR).toISOString());
    // The plan changes only while the status is the one its checks were made against.
    assert.equal(await repository.update(shipment(1, { carrier: 'late' }), 'planned', T0), false);
    assert.equal(await repository.update(shipment(1, { carrier: 'B' }), 'in_transit', T0), true);
    assert.equal((await repository.find('SH-001'))?.carrier, 'B');
    assert.equal(
      (await repository.find('SH-001'))?.status,
      'in_transit',
      'the plan does not touch the status',
    );
    assert.equal(await repository.delete('SH-001', 'planned'), false);
    assert.equal(await repository.delete('SH-001', 'in_transit'), true);
    assert.equal(await repository.find('SH-001'), undefined);
  });

  it('lists in id order after a key, filtered by status, site, container and planned window', async () => {
    for (let i = 1; i <= 9; i++) await repository.insert(shipment(i), T0);
    await repository.setStatus('SH-003', 'planned', 'in_transit', T0, T0);
    const ids = (rows: Shipment[]) => rows.map((s) => s.id);
    assert.deepEqual(ids(await repository.list(undefined, 4, {})), ['SH-001', 'SH-002', 'SH-003', 'SH-004']);
    assert.deepEqual(ids(await repository.list('SH-007', 10, {})), ['SH-008', 'SH-009']);
    assert.deepEqual(ids(await repository.list(undefined, 10, { status: 'in_transit' })), ['SH-003']);
    assert.deepEqual(ids(await repository.list(undefined, 10, { siteId: 'HM-PARIS' })), [
      'SH-002',
      'SH-004',
      'SH-006',
      'SH-008',
    ]);
    assert.deepEqual(ids(await repository.list(undefined, 10, { siteId: 'DC-LYON' })).length, 9);
    assert.deepEqual(ids(await repository.list(undefined, 10, { containerId: 'C-5' })), ['SH-005']);
    // Planned windows overlapping [T0 + 12 h, T0 + 14 h): departure before its end, arrival from its start.
    assert.deepEqual(
      ids(await repository.list(undefined, 10, { fromMs: T0 + 12 * HOUR, toMs: T0 + 14 * HOUR })),
      ['SH-006', 'SH-007', 'SH-008', 'SH-009'],
    );
  });

  it('sorts ids bytewise, as SQLite does, whatever the server locale', async () => {
    const ids = ['SH-b', 'SH-B', 'SH_A', 'SH-a-1', 'SH-A'];
    for (const [i, id] of ids.entries()) await repository.insert(shipment(i, { id }), T0);
    assert.deepEqual(
      (await repository.list(undefined, 10, {})).map((s) => s.id),
      ['SH-A', 'SH-B', 'SH-a-1', 'SH-b', 'SH_A'],
    );
    if (current().dialect === 'postgres') {
      // The harness's server runs in the C locale, where any collation sorts so: the column must
      // carry "C" itself, for servers initialised in another locale (en_US ignores '-' at first).
      const { rows } = await sql<{ collation_name: string | null }>`
        SELECT collation_name FROM information_schema.columns
         WHERE table_name = 'shipments' AND column_name = 'id'`.execute(current().store.db);
      assert.deepEqual(rows, [{ collation_name: 'C' }]);
    }
  });
});
