import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleReading } from '#src/contracts/rule-definition.js';
import type { RuleState } from '#src/state/rule-state.js';
import { evaluateRule } from './evaluators/evaluate-rule.js';
import { minute, outcomeLabel, T0 } from './evaluators/rule-trace.testing.js';
import { PRODUCT_PROFILES } from '#src/profiles/product-profiles.js';
import { rulesForProfile } from '#src/rules/profile-rules.js';

/**
 * A chilled-4 shipment, every rule of its profile, readings every minute, rule state persisted as
 * JSON between readings (as the rule store does in SQLite). Returns `rule label` for every event.
 */
function runShipment(readings: readonly RuleReading[], loadedAt?: number): string[] {
  const rules = rulesForProfile(PRODUCT_PROFILES['chilled-4'], { loadedAt });
  const stored = new Map<string, string>();
  const log: string[] = [];
  for (const reading of readings) {
    for (const rule of rules) {
      const saved = stored.get(rule.id);
      const state = saved === undefined ? undefined : (JSON.parse(saved) as RuleState);
      const result = evaluateRule(rule, state, reading);
      if (result.state !== undefined) stored.set(rule.id, JSON.stringify(result.state));
      if (result.outcome.kind !== 'none') log.push(`${rule.id} ${outcomeLabel(result.outcome)}`);
    }
  }
  return log;
}

function temperatures(from: number, to: number, temperatureC: number): RuleReading[] {
  return Array.from({ length: to - from + 1 }, (_, i) => ({ measuredAt: minute(from + i), temperatureC }));
}

/** 3 °C, then above +4 °C from minute 10 to 26 (16 min), then +3.2 °C until minute 45. */
const excursion: RuleReading[] = [
  ...temperatures(0, 9, 3),
  ...temperatures(10, 26, 5.5),
  ...temperatures(27, 45, 3.2),
];

void describe('chilled-4 shipment scenario', () => {
  void it('16 min above +4 °C: exactly one critical raise, an update, one clear after 10 min under +3.5 °C', () => {
    assert.deepEqual(runShipment(excursion), [
      'temperature-high raise:critical@25',
      'temperature-high update:critical@26',
      'temperature-high clear@37',
    ]);
  });

  void it('duplicate and late readings change nothing', () => {
    const noisy = [...excursion];
    noisy.splice(20, 0, { measuredAt: minute(19), temperatureC: 5.5 }); // duplicate of minute 19
    noisy.splice(35, 0, { measuredAt: minute(12), temperatureC: 9 }); // late, while the alert waits to clear
    noisy.push({ measuredAt: minute(30), temperatureC: 8 }); // late, after the clear: must not re-open
    noisy.push(...excursion.slice(40)); // a replayed tail
    assert.deepEqual(runShipment(noisy), runShipment(excursion));
  });

  void it('14 min above +4 °C is a tolerated excursion: no alert at all', () => {
    const short = [...temperatures(0, 9, 3), ...temperatures(10, 24, 5.5), ...temperatures(25, 45, 3.2)];
    assert.deepEqual(runShipment(short), []);
  });

  void it('a warm logger right after loading is tolerated during the warm-up grace', () => {
    const warm = [...temperatures(0, 19, 12), ...temperatures(20, 45, 3)];
    assert.deepEqual(runShipment(warm, T0), []);
    assert.deepEqual(runShipment(warm), [
      'temperature-high raise:critical@15',
      'temperature-high update:critical@16',
      'temperature-high update:critical@17',
      'temperature-high update:critical@18',
      'temperature-high update:critical@19',
      'temperature-high clear@30',
    ]);
  });
});
