import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleDefinition } from '#src/contracts/rule-definition.js';
import { PRODUCT_PROFILES } from '#src/profiles/product-profiles.js';
import { containerDefaultRules, rulesForProfile } from './profile-rules.js';

const byId = (rules: RuleDefinition[]) => new Map(rules.map((r) => [r.id, r]));
const LOADED = Date.UTC(2026, 10, 22, 6, 0, 0);

void describe(rulesForProfile.name, () => {
  void it('gives a chilled-4 shipment its temperature, shock and device-health rules', () => {
    const rules = byId(rulesForProfile(PRODUCT_PROFILES['chilled-4']));
    assert.deepEqual(
      [...rules.keys()],
      [
        'temperature-high',
        'temperature-low',
        'temperature-cumulative',
        'shock',
        'temperature-offline',
        'device-offline',
        'battery-low',
        'frame-loss',
      ],
    );
    const high = rules.get('temperature-high');
    assert.ok(high?.kind === 'duration');
    assert.deepEqual(high.band, { max: 4 });
    assert.equal(high.raiseAfterMin, 15);
    assert.deepEqual(high.clear, { margin: 0.5, delayMin: 10 });
    assert.equal(high.severity.base, 'critical');
    assert.equal(high.maxGapMin, 15);
  });

  void it('gives a frozen shipment no low limit, and fresh produce a humidity rule', () => {
    assert.equal(byId(rulesForProfile(PRODUCT_PROFILES.frozen)).has('temperature-low'), false);
    const humidity = byId(rulesForProfile(PRODUCT_PROFILES['fresh-produce'])).get('humidity-range');
    assert.ok(humidity?.kind === 'duration');
    assert.deepEqual(humidity.band, { min: 80, max: 98 });
  });

  void it('applies per-shipment overrides', () => {
    const rules = byId(
      rulesForProfile(PRODUCT_PROFILES['chilled-4'], {
        temperature: { maxC: 5 },
        toleratedExcursion: { consecutiveMin: 20 },
        shockLimitG: 4,
        expectedIntervalS: 60,
      }),
    );
    const high = rules.get('temperature-high');
    assert.ok(high?.kind === 'duration');
    assert.deepEqual([high.band.max, high.raiseAfterMin, high.maxGapMin], [5, 20, 3]);
    const shock = rules.get('shock');
    assert.ok(shock?.kind === 'shock');
    assert.equal(shock.limitG, 4);
  });

  void it('turns loading time and declared defrosts into grace windows', () => {
    const defrost = LOADED + 3 * 3_600_000;
    const high = byId(
      rulesForProfile(PRODUCT_PROFILES.frozen, { loadedAt: LOADED, defrostsAt: [defrost] }),
    ).get('temperature-high');
    assert.ok(high?.kind === 'duration');
    assert.deepEqual(high.grace, [
      { reason: 'warm-up', fromMs: LOADED, toMs: LOADED + 30 * 60_000 },
      { reason: 'defrost', fromMs: defrost, toMs: defrost + 30 * 60_000, toleranceAbove: 3 },
    ]);
  });

  void it('ignores declared defrosts for chilled profiles (no ATP allowance)', () => {
    const high = byId(rulesForProfile(PRODUCT_PROFILES['chilled-4'], { defrostsAt: [LOADED] })).get(
      'temperature-high',
    );
    assert.ok(high?.kind === 'duration');
    assert.deepEqual(high.grace, []);
  });

  void it('refuses an inconsistent override, listing every problem', () => {
    assert.throws(
      () =>
        rulesForProfile(PRODUCT_PROFILES['chilled-4'], {
          temperature: { minC: 8 },
          expectedIntervalS: 0,
        }),
      (error: unknown) =>
        error instanceof RangeError &&
        error.message.includes('minC must be below maxC') &&
        error.message.includes('expectedIntervalS must be > 0'),
    );
  });

  void it('produces JSON-serialisable definitions with unique ids for every profile', () => {
    for (const profile of Object.values(PRODUCT_PROFILES)) {
      const rules = rulesForProfile(profile, { loadedAt: LOADED });
      assert.equal(new Set(rules.map((r) => r.id)).size, rules.length, profile.id);
      assert.deepEqual(JSON.parse(JSON.stringify(rules)), rules, profile.id);
    }
  });
});

void describe(containerDefaultRules.name, () => {
  void it('watches device health only, offline after 3 × 5 min by default', () => {
    const rules = containerDefaultRules();
    assert.deepEqual(
      rules.map((r) => r.id),
      ['device-offline', 'battery-low', 'frame-loss'],
    );
    const offline = rules[0];
    assert.ok(offline?.kind === 'offline');
    assert.deepEqual([offline.key, offline.expectedIntervalS, offline.factor], ['any', 300, 3]);
  });
});
