import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleDefinition, RuleReading } from '#src/contracts/rule-definition.js';
import type { RuleState } from '#src/state/rule-state.js';
import { evaluateRule } from './evaluate-rule.js';
import { minute } from './rule-trace.testing.js';
import { PRODUCT_PROFILES } from '#src/profiles/product-profiles.js';
import { rulesForProfile } from '#src/rules/profile-rules.js';

const threshold: RuleDefinition = {
  id: 'temperature-high',
  kind: 'threshold',
  field: 'temperatureC',
  band: { max: 4 },
  severity: { base: 'warning' },
};

void describe(evaluateRule.name, () => {
  void it('gives every kind of a profile a state of the matching type', () => {
    const reading: RuleReading = {
      measuredAt: minute(0),
      temperatureC: 3,
      batteryPct: 80,
      shockG: 1,
      lostFrames: 0,
      quality: { fCnt: 1 },
    };
    const types = rulesForProfile(PRODUCT_PROFILES['chilled-4']).map((rule) => [
      rule.kind,
      evaluateRule(rule, undefined, reading).state?.type,
    ]);
    assert.deepEqual(types, [
      ['duration', 'excursion'],
      ['duration', 'excursion'],
      ['cumulative', 'cumulative'],
      ['shock', 'shock'],
      ['offline', 'offline'],
      ['offline', 'offline'],
      ['battery-low', 'excursion'],
      ['frame-loss', 'frame-loss'],
    ]);
  });

  void it('starts afresh when the stored state belongs to another kind of rule', () => {
    const foreign: RuleState = { type: 'shock', lastAt: minute(10) };
    const result = evaluateRule(threshold, foreign, { measuredAt: minute(5), temperatureC: 6 });
    assert.equal(result.outcome.kind, 'raise');
    assert.equal(result.state?.type, 'excursion');
  });

  void it('fails loudly on a kind it does not know (data from an older or newer version)', () => {
    const unknown = { ...threshold, kind: 'geofence' } as unknown as RuleDefinition;
    assert.throws(
      () => evaluateRule(unknown, undefined, { measuredAt: minute(0), temperatureC: 1 }),
      TypeError,
    );
  });
});
