import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PRODUCT_PROFILES, findProductProfile } from './product-profiles.js';
import { profileProblems } from '#src/rules/profile-rules.js';

void describe('PRODUCT_PROFILES', () => {
  void it('keys each profile by its own id, and every seed profile is consistent', () => {
    for (const [id, profile] of Object.entries(PRODUCT_PROFILES)) {
      assert.equal(profile.id, id);
      assert.deepEqual(profileProblems(profile), [], id);
    }
  });

  const limits: [string, number | undefined, number | undefined][] = [
    ['frozen', undefined, -18],
    ['ice-cream', undefined, -20],
    ['chilled-2', -1, 2],
    ['chilled-3', 0, 3],
    ['chilled-4', 0, 4],
    ['chilled-6', 0, 6],
    ['chilled-7', 0, 7],
  ];
  for (const [id, minC, maxC] of limits) {
    void it(`${id}: band ${minC ?? '−∞'}…${maxC ?? '+∞'} °C (ATP Annex 2/3)`, () => {
      const band = findProductProfile(id)?.temperature;
      assert.equal(band?.minC, minC);
      assert.equal(band?.maxC, maxC);
    });
  }

  void it('frozen profiles tolerate +3 °C during a defrost (ATP Annex 2), chilled ones do not', () => {
    assert.equal(PRODUCT_PROFILES.frozen.grace.defrostToleranceC, 3);
    assert.equal(PRODUCT_PROFILES['ice-cream'].grace.defrostToleranceC, 3);
    assert.equal(PRODUCT_PROFILES['chilled-4'].grace.defrostToleranceC, 0);
  });

  void it('fragile has the tightest shock limit; only fresh produce watches humidity', () => {
    const limitsG = Object.values(PRODUCT_PROFILES).map((p) => p.shockLimitG);
    assert.equal(PRODUCT_PROFILES.fragile.shockLimitG, Math.min(...limitsG));
    assert.deepEqual(
      Object.values(PRODUCT_PROFILES)
        .filter((p) => p.humidity !== undefined)
        .map((p) => p.id),
      ['fresh-produce'],
    );
  });

  void it('finds no profile for unknown or prototype ids', () => {
    assert.equal(findProductProfile('chilled-5'), undefined);
    assert.equal(findProductProfile('toString'), undefined);
    assert.equal(findProductProfile('__proto__'), undefined);
  });
});
