import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { openContainerStates } from '#src/state/container-states.testing.js';
import type { SqliteContainerStates } from '#src/state/sqlite-container-states.js';
import type { RuleState } from '#src/state/rule-state.js';
import {
  packRuleState,
  packedIsQuiet,
  repackRuleState,
  unpackRuleState,
} from '#src/state/rule-state.packing.js';
import { isQuiet } from '#src/state/rule-state.packing.js';
import { RuleStateStore } from './rule-state.store.js';

const T = Date.UTC(2026, 10, 22, 8, 0, 0);

const STATES: [string, RuleState][] = [
  ['an idle excursion', { type: 'excursion', lastAt: T, phase: 'idle', count: 0 }],
  ['an idle excursion with leftovers', { type: 'excursion', lastAt: T, phase: 'idle', count: 0, peak: 9 }],
  [
    'a pending excursion',
    { type: 'excursion', lastAt: T, phase: 'pending', startedAt: T, count: 1, peak: 9 },
  ],
  ['an empty frame-loss window', { type: 'frame-loss', lastAt: T, buckets: [], active: false }],
  [
    'a frame-loss window',
    {
      type: 'frame-loss',
      lastAt: T,
      buckets: [
        [T - 60_000, 3, 0],
        [T, 1, 2],
      ],
      active: false,
    },
  ],
  [
    'a frame-loss alert',
    { type: 'frame-loss', lastAt: T, buckets: [[T, 1, 9]], active: true, severity: 'info' },
  ],
  ['an offline watch', { type: 'offline', watchSince: T, lastNowMs: T + 1, lastSeen: T }],
  ['an offline watch of a key never seen', { type: 'offline', watchSince: T, lastNowMs: T + 1 }],
  [
    'an offline alert',
    { type: 'offline', watchSince: T, lastNowMs: T + 1, lastSeen: T, offlineSince: T, severity: 'warning' },
  ],
  [
    'a shock burst',
    {
      type: 'shock',
      lastAt: T,
      burst: { startedAt: T, lastShockAt: T, peakG: 9, count: 1, severity: 'warning' },
    },
  ],
];

describe(packRuleState.name, () => {
  for (const [name, state] of STATES) {
    it(`gives back ${name} equal, with the same quietness`, () => {
      const packed = packRuleState(structuredClone(state));
      assert.deepStrictEqual(unpackRuleState(packed), state);
      assert.equal(packedIsQuiet(packed), isQuiet(state));
    });
  }

  for (const [name, state] of STATES) {
    it(`repacks ${name} over any state held before to an equal state`, () => {
      for (const [, before] of STATES) {
        const packed = repackRuleState(packRuleState(structuredClone(before)), structuredClone(state));
        assert.deepStrictEqual(unpackRuleState(packed), state);
        assert.equal(packedIsQuiet(packed), isQuiet(state));
      }
    });
  }

  it('repacks a quiet offline watch and a frame-loss window of the same size in place', () => {
    const watch = packRuleState(structuredClone(STATES[6][1]));
    const later: RuleState = { type: 'offline', watchSince: T, lastNowMs: T + 9, lastSeen: T + 5 };
    assert.equal(repackRuleState(watch, later), watch);
    assert.deepStrictEqual(unpackRuleState(watch), later);
    const window = packRuleState(structuredClone(STATES[4][1]));
    const next: RuleState = {
      type: 'frame-loss',
      lastAt: T + 1,
      buckets: [
        [T - 60_000, 3, 0],
        [T, 2, 2],
      ],
      active: false,
    };
    assert.equal(repackRuleState(window, next), window);
    assert.deepStrictEqual(unpackRuleState(window), next);
  });

  it('holds an idle excursion as one number and a quiet frame-loss window as numbers', () => {
    assert.equal(typeof packRuleState(STATES[0][1]), 'number');
    assert.deepEqual(packRuleState(STATES[4][1]), [T, T - 60_000, 3, 0, T, 1, 2]);
  });
});

describe(RuleStateStore.name, () => {
  let dir: string;
  let db: SqliteDatabase;
  let store: RuleStateStore;
  let states: SqliteContainerStates;

  const open = () => {
    states = openContainerStates(db, new ManualClock(T));
    return new RuleStateStore(states);
  };
  /** The stored rule states, one row a container and rule, as the state owner wrote them. */
  const rows = () =>
    (
      db.connection
        .prepare('SELECT container_id, rules FROM container_states WHERE rules IS NOT NULL ORDER BY 1')
        .all() as { container_id: string; rules: string }[]
    ).flatMap((row) =>
      Object.entries(JSON.parse(row.rules) as Record<string, RuleState>).map(([rule_id, state]) => ({
        container_id: row.container_id,
        rule_id,
        state: JSON.stringify(state),
      })),
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rule-state-'));
    db = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
    store = open();
  });

  afterEach(async () => {
    await states.beforeApplicationShutdown();
    await db.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps each state of a container by key, replaced by set', () => {
    const states = store.of('C1');
    STATES.forEach(([, state], i) => states.set(`r${i}`, state));
    states.set('r0', { type: 'excursion', lastAt: T + 1, phase: 'idle', count: 0 });
    assert.equal(store.of('C1').size, STATES.length);
    assert.deepStrictEqual(store.of('C1').get('r0'), {
      type: 'excursion',
      lastAt: T + 1,
      phase: 'idle',
      count: 0,
    });
    assert.deepStrictEqual(store.of('C1').get('r2'), STATES[2][1]);
    assert.equal(store.of('C1').get('missing'), undefined);
    assert.equal(store.of('C2').size, 0);
  });

  it('writes behind a container whose states are not all quiet, and once when they turn quiet', async () => {
    const quietOnly = store.of('C0');
    quietOnly.set('quiet', STATES[0][1]);
    store.changed('C0');
    const c1 = store.of('C1');
    c1.set('quiet', STATES[0][1]);
    c1.set('busy', STATES[2][1]);
    store.changed('C1');
    await states.writeBehind();
    assert.deepEqual(
      rows()
        .map((r) => `${r.container_id}/${r.rule_id}`)
        .sort(),
      ['C1/busy', 'C1/quiet'],
      'C0, every rule quiet, costs no write',
    );
    c1.set('busy', { type: 'excursion', lastAt: T + 1, phase: 'idle', count: 0 });
    store.changed('C1');
    await states.writeBehind();
    assert.deepStrictEqual(JSON.parse(rows().find((r) => r.rule_id === 'busy')!.state), {
      type: 'excursion',
      lastAt: T + 1,
      phase: 'idle',
      count: 0,
    });
    db.connection.exec('DELETE FROM container_states');
    store.changed('C1');
    await states.writeBehind();
    assert.equal(rows().length, 0, 'quiet, and stored quiet: not written again');
  });

  it('restores every state after a restart, as JSON exactly as before', async () => {
    const c1 = store.of('C1');
    STATES.forEach(([, state], i) => c1.set(`r${i}`, state));
    store.changed('C1');
    await states.beforeApplicationShutdown();
    assert.deepStrictEqual(
      rows().map((r) => JSON.parse(r.state) as RuleState),
      STATES.map(([, s]) => s),
    );
    store = open();
    assert.deepStrictEqual(
      [...store.of('C1')],
      STATES.map(([, s], i) => [`r${i}`, s]),
    );
  });

  it('writes a concluded state at once', () => {
    store.of('C1').set('r', STATES[2][1]);
    store.persistNow('C1', ['r']);
    assert.deepStrictEqual(JSON.parse(rows()[0].state), STATES[2][1]);
  });

  it('writes a concluded state once the effects it decided are stored, when some wait (cluster)', async () => {
    let storeEffects = () => {};
    const stored = new Promise<void>((resolve) => (storeEffects = resolve));
    store.writeAfter(() => stored);
    store.of('C1').set('r', STATES[2][1]);
    store.persistNow('C1', ['r']);
    assert.deepStrictEqual(rows(), [], 'not ahead of the alert change it raised');
    storeEffects();
    await stored;
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepStrictEqual(JSON.parse(rows()[0].state), STATES[2][1]);
  });

  it('writes a concluded state at once when no effect waits', () => {
    store.writeAfter(() => undefined);
    store.of('C1').set('r', STATES[2][1]);
    store.persistNow('C1', ['r']);
    assert.deepStrictEqual(JSON.parse(rows()[0].state), STATES[2][1]);
  });
});
