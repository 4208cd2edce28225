import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MEASUREMENT_KEYS } from '#src/contracts/reading.js';
import type { OfflineRule } from '#src/contracts/rule-definition.js';
import type { OfflineState } from '#src/state/rule-state.js';
import {
  advanceQuietWatch,
  evaluateOffline,
  evaluateOfflineOnReading,
  type LastSeenByKey,
  type QuietOfflineWatch,
} from './offline.evaluator.js';
import { minute, outcomeLabel } from './rule-trace.testing.js';

const temperatureOffline: OfflineRule = {
  id: 'temperature-offline',
  kind: 'offline',
  key: 'temperatureC',
  expectedIntervalS: 300,
  factor: 3,
  severity: { base: 'warning', escalations: [{ severity: 'critical', afterMin: 60 }] },
};
const deviceOffline: OfflineRule = { ...temperatureOffline, id: 'device-offline', key: 'any' };

/** Ticks: `[nowMinute, lastSeen minutes per key]`. */
type Tick = readonly [number, Partial<Record<keyof LastSeenByKey, number>>];

function run(
  definition: OfflineRule,
  ticks: readonly Tick[],
): { labels: string[]; state: OfflineState | undefined } {
  let state: OfflineState | undefined;
  const labels: string[] = [];
  for (const [now, seenMinutes] of ticks) {
    const seen: LastSeenByKey = {};
    for (const [key, m] of Object.entries(seenMinutes)) seen[key as keyof LastSeenByKey] = minute(m);
    const result = evaluateOffline(definition, state, seen, minute(now));
    state = result.state;
    labels.push(outcomeLabel(result.outcome));
  }
  return { labels, state };
}

void describe(evaluateOffline.name, () => {
  const cases: { name: string; definition: OfflineRule; ticks: Tick[]; expect: string[] }[] = [
    {
      name: 'silent for just under k × interval (15 min) is fine, exactly 15 min raises',
      definition: temperatureOffline,
      ticks: [
        [14.9, { temperatureC: 0 }],
        [15, { temperatureC: 0 }],
      ],
      expect: ['-', 'raise:warning@15'],
    },
    {
      name: 'a late tick raises dated when the limit was crossed, not now',
      definition: temperatureOffline,
      ticks: [
        [0, { temperatureC: 0 }],
        [40, { temperatureC: 0 }],
      ],
      expect: ['-', 'raise:warning@15'],
    },
    {
      name: 'per key: positions keep coming but temperature is silent',
      definition: temperatureOffline,
      ticks: [
        [0, { temperatureC: 0, lat: 0 }],
        [20, { temperatureC: 0, lat: 20 }],
      ],
      expect: ['-', 'raise:warning@15'],
    },
    {
      name: 'per device: any key keeps the device online',
      definition: deviceOffline,
      ticks: [
        [0, { temperatureC: 0, lat: 0 }],
        [20, { temperatureC: 0, lat: 20 }],
      ],
      expect: ['-', '-'],
    },
    {
      name: 'escalates after 60 min offline, once',
      definition: temperatureOffline,
      ticks: [
        [0, { temperatureC: 0 }],
        [16, {}],
        [74, {}],
        [75, {}],
        [90, {}],
      ],
      expect: ['-', 'raise:warning@15', '-', 'update:critical@75', '-'],
    },
    {
      name: 'clears when the key is seen fresh again',
      definition: temperatureOffline,
      ticks: [
        [0, { temperatureC: 0 }],
        [20, {}],
        [30, { temperatureC: 29 }],
      ],
      expect: ['-', 'raise:warning@15', 'clear@30'],
    },
    {
      name: 'a key never seen counts from the first evaluation',
      definition: temperatureOffline,
      ticks: [
        [0, {}],
        [10, {}],
        [15, {}],
      ],
      expect: ['-', '-', 'raise:warning@15'],
    },
    {
      name: 'a stale tick (older now) cannot clear: time never goes backwards',
      definition: temperatureOffline,
      ticks: [
        [0, { temperatureC: 0 }],
        [30, {}],
        [10, { temperatureC: 9 }],
        [31, {}],
      ],
      expect: ['-', 'raise:warning@15', '-', '-'],
    },
  ];
  for (const c of cases) {
    void it(c.name, () => {
      assert.deepEqual(run(c.definition, c.ticks).labels, c.expect);
    });
  }
});

void describe(evaluateOfflineOnReading.name, () => {
  void it('raises temperature-offline on a position-only reading, clears on a temperature reading', () => {
    let state: OfflineState | undefined;
    const labels: string[] = [];
    for (const reading of [
      { measuredAt: minute(0), temperatureC: 4, lat: 50, lon: 4 },
      { measuredAt: minute(10), lat: 50, lon: 4 },
      { measuredAt: minute(20), lat: 50, lon: 4 },
      { measuredAt: minute(25), temperatureC: 4 },
    ]) {
      const result = evaluateOfflineOnReading(temperatureOffline, state, reading);
      state = result.state;
      labels.push(outcomeLabel(result.outcome));
    }
    assert.deepEqual(labels, ['-', '-', 'raise:warning@15', 'clear@25']);
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
  });
});

void describe(advanceQuietWatch.name, () => {
  const time = fc.integer({ min: 0, max: 10 * 3_600_000 });
  const watch = fc.record(
    { type: fc.constant('offline' as const), watchSince: time, lastNowMs: time, lastSeen: time },
    { requiredKeys: ['type', 'watchSince', 'lastNowMs'] },
  );
  const lastSeenByKey = fc.dictionary(
    fc.constantFrom(...MEASUREMENT_KEYS),
    time,
  ) as fc.Arbitrary<LastSeenByKey>;
  const definition = fc.constantFrom(temperatureOffline, deviceOffline);

  void it('advances a quiet watch exactly as a full evaluation would, or leaves it when that raises', () => {
    fc.assert(
      fc.property(definition, watch, lastSeenByKey, time, (rule, prior: OfflineState, seen, now) => {
        const full = evaluateOffline(rule, { ...prior }, seen, now);
        const held: QuietOfflineWatch = { ...prior };
        if (advanceQuietWatch(rule, held, seen, now)) {
          assert.equal(full.outcome.kind, 'none');
          assert.deepEqual(held, full.state);
        } else {
          assert.equal(full.outcome.kind, 'raise');
          assert.deepEqual(held, { ...prior });
        }
      }),
      { numRuns: 2000 },
    );
  });
});
