import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { defaultConfig } from '#src/app-settings.js';
import { JourneyEventOutbox } from '#src/journeys/journey-event.outbox.js';
import { JourneyEventsRepository } from '#src/journeys/journey-events.repository.js';
import { toRow } from '#src/journeys/journey-events.table.js';
import type { JourneyEvent } from '#src/journeys/journey.types.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { OperationalStoreConfig } from '#src/storage/operational-store.config.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';
import { describeEachStore } from '#test/support/store-dialects.js';
import { waitFor } from '#test/support/wait-for.js';

const T0 = Date.UTC(2026, 10, 22, 6, 0, 0);

const EVENTS: JourneyEvent[] = [
  { containerId: 'C1', shipmentId: 'S1', type: 'status', at: T0, lat: 45.75, lon: 4.85 },
  { containerId: 'C1', shipmentId: 'S1', type: 'leave', siteId: 'DC-LYON', siteKind: 'dc', at: T0 + 1 },
  { containerId: 'C1', type: 'stop', at: T0 + 2, until: T0 + 600_000, detail: 'parked' },
  { containerId: 'C2', type: 'enter', siteId: 'HM-PARIS', siteKind: 'store', at: T0 + 3 },
];

describeEachStore(JourneyEventsRepository.name, (current) => {
  let events: JourneyEventsRepository;

  beforeEach(async () => {
    events = new JourneyEventsRepository(current().store, current().sqlite);
    await events.onModuleInit();
  });
  afterEach(() => events.beforeApplicationShutdown());

  it('stores queued events (every field, NULLs too) and reads them by container, shipment and crossing', async () => {
    for (const e of EVENTS) events.insert(e);
    // Reads wait for this node's queued events: no sleep.
    assert.deepEqual(await events.byContainer('C1', T0, T0 + 3, 10), EVENTS.slice(0, 3));
    assert.deepEqual(await events.byContainer('C1', T0 + 1, T0 + 2, 10), [EVENTS[1]]);
    assert.deepEqual(await events.byShipment('S1', 1), [EVENTS[0]]);
    assert.deepEqual(await events.crossings(T0, T0 + 10, 10), [EVENTS[1], EVENTS[3]]);
  });

  it('makes flushed events durable in the same step: stored on SQLite; on PostgreSQL in the outbox, which a restart stores once', async () => {
    if (current().dialect === 'sqlite') {
      events.insert(EVENTS[3]);
      events.flush();
      const stored = current()
        .sqlite.connection.prepare("SELECT count(*) FROM journey_events WHERE container_id = 'C2'")
        .pluck()
        .get();
      assert.equal(stored, 1, 'stored before the event loop turns');
      return;
    }
    events.insert(EVENTS[0]);
    assert.equal((await events.byShipment('S1', 10)).length, 1);
    // A crash after PostgreSQL committed EVENTS[0] but before the outbox forgot it, with EVENTS[3] not sent.
    new JourneyEventOutbox(current().sqlite).add([toRow(EVENTS[0]), toRow(EVENTS[3])]);
    const restarted = new JourneyEventsRepository(current().store, current().sqlite);
    await restarted.onModuleInit();
    assert.deepEqual(await restarted.byShipment('S1', 10), [EVENTS[0]]);
    assert.deepEqual(await restarted.byContainer('C2', T0, T0 + 10, 10), [EVENTS[3]]);
    assert.deepEqual(new JourneyEventOutbox(current().sqlite).after(0, 10), [], 'the outbox is empty');
  });

  it('stores an event concluded again by a replayed reading once, and events apart by site or detail each', async () => {
    // A partition's new owner replaying from its checkpoint, or a replay after a crash, concludes
    // the crossing and the stop again, equal column for column (ARCHITECTURE.md §9).
    for (const e of EVENTS) events.insert(e);
    assert.equal((await events.byContainer('C1', T0, T0 + 10, 10)).length, 3);
    for (const e of EVENTS) events.insert(e);
    events.insert({ ...EVENTS[1], siteId: 'DC-DIJON' });
    events.insert({ ...EVENTS[2], detail: 'exceeded' });
    assert.deepEqual(await events.byContainer('C1', T0, T0 + 10, 10), [
      EVENTS[0],
      EVENTS[1],
      { ...EVENTS[1], siteId: 'DC-DIJON' },
      EVENTS[2],
      { ...EVENTS[2], detail: 'exceeded' },
    ]);
    assert.deepEqual(await events.byContainer('C2', T0, T0 + 10, 10), [EVENTS[3]]);
  });
});

describe(`${JourneyEventsRepository.name} while PostgreSQL is away`, () => {
  let postgres: PostgresServer;
  let dir = '';
  before(async () => {
    postgres = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'convoi-journey-'));
  });
  after(async () => {
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the events in the outbox while PostgreSQL is stopped, and stores each once when it is back', async () => {
    const sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
    const url = await postgres.createDatabase();
    const store = new OperationalDatabase(new OperationalStoreConfig({ DATABASE_URL: url }), sqlite);
    const events = new JourneyEventsRepository(store, sqlite);
    await events.onModuleInit();
    try {
      events.insert(EVENTS[0]);
      assert.equal((await events.byShipment('S1', 10)).length, 1);
      await postgres.pause();
      events.insert(EVENTS[3]);
      events.flush();
      assert.equal(new JourneyEventOutbox(sqlite).after(0, 10).length, 1, 'kept in the outbox');
      await postgres.resume();
      await waitFor(
        'the event stored once PostgreSQL is back',
        async () => (await events.byContainer('C2', T0, T0 + 10, 10)).length > 0,
        10_000,
      );
      assert.deepEqual(await events.byContainer('C2', T0, T0 + 10, 10), [EVENTS[3]]);
      assert.deepEqual(await events.byShipment('S1', 10), [EVENTS[0]]);
      assert.deepEqual(new JourneyEventOutbox(sqlite).after(0, 10), [], 'the outbox is empty');
    } finally {
      events.beforeApplicationShutdown();
      await store.onApplicationShutdown();
      await sqlite.onApplicationShutdown();
    }
  });
});
