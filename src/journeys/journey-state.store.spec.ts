import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { OperationalStoreConfig } from '#src/storage/operational-store.config.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { openContainerStates } from '#src/state/container-states.testing.js';
import { JourneyEventsRepository } from './journey-events.repository.js';
import { heldJourney, packJourney, unpackHeld, unpackJourney } from './journey-state.packing.js';
import { heldFromRow, journeyRow } from './journey-state.row.js';
import { JourneyStateStore, ROUTINE_EVERY_TICKS } from './journey-state.store.js';
import { initialJourneyState, type ContainerJourneyState } from './journey.types.js';

const T = Date.UTC(2026, 10, 22, 8, 0, 0);
/** As persisted (and as fast-check's null-prototype records compare with plain objects). */
const normal = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
const time = fc.integer({ min: 0, max: 2 ** 42 });
const coordinate = fc.double({ min: -90, max: 90, noNaN: true });
const fix = fc.record({ lat: coordinate, lon: coordinate, at: time });
const siteId = fc.constantFrom('S1', 'S2', 'DC-LYON');

/** Every shape a tracker can leave, optional fields present or absent. */
const journeyState: fc.Arbitrary<ContainerJourneyState> = fc.record(
  {
    containerId: fc.constant('C1'),
    geofence: fc.record(
      {
        lastMeasuredAt: time,
        sites: fc.dictionary(
          siteId,
          fc.record({ inside: fc.boolean(), pendingSince: time }, { requiredKeys: ['inside'] }),
        ),
      },
      { requiredKeys: ['sites'] },
    ),
    motion: fc.record(
      {
        status: fc.constantFrom('unknown', 'moving', 'stopped'),
        lastFix: fix,
        anchor: fix,
        speedKmh: fc.double({ min: 0, max: 200, noNaN: true }),
        movingSpeedKmh: fc.double({ min: 0, max: 200, noNaN: true }),
        stop: fix,
        outliersInRow: fc.nat(3),
      },
      { requiredKeys: ['status', 'speedKmh', 'outliersInRow'] },
    ),
    dwell: fc.record(
      {
        stop: fc.record({
          since: time,
          lat: coordinate,
          lon: coordinate,
          siteIds: fc.array(siteId, { maxLength: 2 }),
          exceeded: fc.boolean(),
        }),
      },
      { requiredKeys: [] },
    ),
    lastFixAt: time,
    lastFix: fc.record({ lat: coordinate, lon: coordinate }),
    alerts: fc.record(
      { unexpectedSiteIds: fc.array(siteId, { maxLength: 2 }), delayMin: fc.integer(), dwellSince: time },
      { requiredKeys: ['unexpectedSiteIds'] },
    ),
  },
  { requiredKeys: ['containerId', 'geofence', 'motion', 'dwell', 'alerts'] },
);

describe(JourneyStateStore.name, () => {
  let dir: string;
  let db: SqliteDatabase;
  let store: JourneyStateStore;

  let repository: JourneyEventsRepository;

  const open = async () => {
    const operational = new OperationalDatabase(new OperationalStoreConfig({ DATABASE_URL: undefined }), db);
    repository = new JourneyEventsRepository(operational, db);
    await repository.onModuleInit();
    const s = new JourneyStateStore(openContainerStates(db, new ManualClock(T)), repository);
    s.onModuleInit();
    return s;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'journey-state-'));
    db = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
    store = await open();
  });

  afterEach(async () => {
    store.beforeApplicationShutdown();
    await db.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('packs and unpacks every state shape to an equal state', () => {
    fc.assert(
      fc.property(journeyState, (state) => {
        assert.deepStrictEqual(normal(unpackJourney(state.containerId, packJourney(state))), normal(state));
      }),
      { numRuns: 2000 },
    );
  });

  it('stores every state shape as its packed row and reads it back equal', () => {
    fc.assert(
      fc.property(journeyState, (state) => {
        const row = journeyRow(heldJourney(packJourney(state)));
        assert.deepStrictEqual(normal(unpackHeld('C1', heldFromRow(row))), normal(state));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the whole-state JSON rows earlier versions wrote', () => {
    fc.assert(
      fc.property(journeyState, (state) => {
        assert.deepStrictEqual(normal(unpackHeld('C1', heldFromRow(JSON.stringify(state)))), normal(state));
      }),
      { numRuns: 500 },
    );
  });

  it('reads a row written before a number was added to the packed form as absent there', () => {
    const state = { ...initialJourneyState('C1'), lastFixAt: T };
    const row = JSON.parse(journeyRow(heldJourney(packJourney(state)))) as unknown[];
    assert.equal(row.at(-1), null, 'the last offset (alerts.dwellSince) is absent in this state');
    assert.deepStrictEqual(
      normal(unpackHeld('C1', heldFromRow(JSON.stringify(row.slice(0, -1))))),
      normal(state),
    );
  });

  it('gives back the state last set, whatever the one it replaced (packed into the same arrays)', () => {
    fc.assert(
      fc.property(fc.array(journeyState, { minLength: 2, maxLength: 4 }), (states) => {
        for (const state of states) store.set(structuredClone(state), false);
        assert.deepStrictEqual(normal(store.get('C1')), normal(states.at(-1)));
      }),
      { numRuns: 2000 },
    );
  });

  it('follows a site membership through equal, pending and left fixes packed in place', () => {
    const state = initialJourneyState('C1');
    state.geofence.sites.S1 = { inside: true };
    store.set(state);
    const again = store.get('C1')!;
    again.lastFixAt = T;
    store.set(again);
    const pending = store.get('C1')!;
    assert.equal(pending.lastFixAt, T);
    pending.geofence.sites.S1 = { inside: true, pendingSince: T };
    store.set(pending);
    assert.deepStrictEqual(store.get('C1')!.geofence.sites, { S1: { inside: true, pendingSince: T } });
    const left = store.get('C1')!;
    left.geofence.sites = {};
    store.set(left);
    assert.deepStrictEqual(store.get('C1')!.geofence.sites, {});
  });

  it('hands out a fresh state each time: changing it changes nothing stored until set', () => {
    const state = initialJourneyState('C1');
    state.geofence.sites.S1 = { inside: true };
    state.alerts.unexpectedSiteIds.push('S1');
    state.dwell.stop = { since: T, lat: 45, lon: 5, siteIds: ['S1'], exceeded: false };
    store.set(state);
    const got = store.get('C1')!;
    got.geofence.sites.S1.inside = false;
    got.alerts.unexpectedSiteIds.length = 0;
    got.dwell.stop!.siteIds.push('S2');
    got.alerts.delayMin = 12;
    assert.deepStrictEqual(store.get('C1'), state);
    store.set(got);
    assert.deepStrictEqual(store.get('C1'), got);
  });

  it('restores every state after a restart', async () => {
    const states = fc.sample(journeyState, 50).map((s, i) => ({ ...s, containerId: `C${i}` }));
    states.forEach((s, i) => store.set(s, i % 2 === 0));
    store.beforeApplicationShutdown();
    store = await open();
    for (const s of states) assert.deepStrictEqual(normal(store.get(s.containerId)), normal(s));
  });

  it('writes a significant update before the event loop turns (a replay must not act on it again), a routine one every ROUTINE_EVERY_TICKS-th tick', async () => {
    const rows = () =>
      (
        db.connection
          .prepare('SELECT count(*) AS n FROM container_states WHERE journey IS NOT NULL')
          .get() as { n: number }
      ).n;
    store.set({ ...initialJourneyState('C1'), lastFixAt: T }, false);
    store.set({ ...initialJourneyState('C2'), lastFixAt: T }, true);
    await Promise.resolve();
    assert.equal(rows(), 1, 'the significant one, before any write-behind round');
    store.persist();
    assert.equal(rows(), 1);
    for (let tick = 2; tick < ROUTINE_EVERY_TICKS; tick++) store.persist();
    assert.equal(rows(), 1);
    store.persist();
    assert.equal(rows(), 2);
  });
  it('writes a significant state with the events its reactions queued, in one transaction', async () => {
    repository.insert({ containerId: 'C3', type: 'enter', siteId: 'HUB-DIJON', at: T });
    store.set({ ...initialJourneyState('C3'), lastFixAt: T }, true);
    await Promise.resolve();
    const events = db.connection
      .prepare("SELECT count(*) FROM journey_events WHERE container_id = 'C3'")
      .pluck()
      .get();
    // Not 100 ms later: a crash in between left a state inside the site and no `enter`, which
    // the replay (the state then ignores the fix) never wrote.
    assert.equal(events, 1);
  });

  it('writes a significant state once the effects decided are stored, when some wait (cluster)', async () => {
    let storeEffects = () => {};
    const stored = new Promise<void>((resolve) => (storeEffects = resolve));
    const rows = () =>
      (
        db.connection
          .prepare(
            "SELECT count(*) AS n FROM container_states WHERE container_id = 'C4' AND journey IS NOT NULL",
          )
          .get() as { n: number }
      ).n;
    store.writeAfter(() => stored);
    store.set({ ...initialJourneyState('C4'), lastFixAt: T }, true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(rows(), 0, 'not ahead of the events it explains');
    storeEffects();
    await stored;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(rows(), 1);
  });
});
