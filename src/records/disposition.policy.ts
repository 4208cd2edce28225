import type { Disposition, DispositionReason, RecordProfileLimits } from './record.types.js';

/**
 * The figures of a shipment record that the disposition depends on.
 */
export interface DispositionFacts {
  temperatureReadings: number;
  cumulativeOutOfRangeMin: number;
  mktC: number | undefined;
  /** Peak g of every shock over the profile's limit. */
  shockPeaksG: readonly number[];
  completenessPct: number;
}

/**
 * Disposition rules, each computed from the profile; the decision is the worst outcome
 * (accept < inspect < reject).
 *
 * | code                       | when                                              | outcome                   |
 * | -------------------------- | ------------------------------------------------- | ------------------------- |
 * | no-temperature-data        | no temperature reading in the period              | inspect                   |
 * | excursion-over-tolerance   | cumulative out of range > tolerated minutes       | profile.excursionAction   |
 * | excursion-within-tolerance | 0 < cumulative out of range ≤ tolerated minutes   | accept (noted)            |
 * | mkt-above-limit            | MKT > the profile's maximum                       | inspect                   |
 * | shock-over-limit           | a shock over the limit, fragile profile           | inspect                   |
 * | shock-over-limit           | a shock over the limit, other profiles            | accept (noted)            |
 * | completeness-low           | completeness < minCompletenessPct (90 %)          | inspect                   |
 * | within-limits              | none of the above                                 | accept                    |
 *
 * MKT above the maximum with every excursion tolerated means the product spent its allowance in a
 * way that still aged it like storage above its label: a person should look. Below 90 %
 * completeness the record cannot prove the chain held, whatever the readings we have say.
 */
export function decideDisposition(
  profile: RecordProfileLimits,
  facts: DispositionFacts,
  minCompletenessPct = 90,
): { decision: Disposition; reasons: DispositionReason[] } {
  const reasons: DispositionReason[] = [];
  if (facts.temperatureReadings === 0) {
    reasons.push({
      code: 'no-temperature-data',
      outcome: 'inspect',
      message: 'no temperature reading was received during the shipment',
    });
  }
  const outMin = round1(facts.cumulativeOutOfRangeMin);
  if (facts.cumulativeOutOfRangeMin > profile.toleratedExcursionMin) {
    reasons.push({
      code: 'excursion-over-tolerance',
      outcome: profile.excursionAction,
      message: `${outMin} min out of range, more than the ${profile.toleratedExcursionMin} min tolerated by profile ${profile.id}`,
    });
  } else if (facts.cumulativeOutOfRangeMin > 0) {
    reasons.push({
      code: 'excursion-within-tolerance',
      outcome: 'accept',
      message: `${outMin} min out of range, within the ${profile.toleratedExcursionMin} min tolerated by profile ${profile.id}`,
    });
  }
  if (facts.mktC !== undefined && profile.maxC !== undefined && facts.mktC > profile.maxC) {
    reasons.push({
      code: 'mkt-above-limit',
      outcome: 'inspect',
      message: `mean kinetic temperature ${facts.mktC.toFixed(2)} °C is above the ${profile.maxC} °C limit`,
    });
  }
  if (facts.shockPeaksG.length > 0 && profile.shockLimitG !== undefined) {
    const worst = facts.shockPeaksG.reduce((a, b) => Math.max(a, b));
    reasons.push({
      code: 'shock-over-limit',
      outcome: profile.fragile ? 'inspect' : 'accept',
      message: `${facts.shockPeaksG.length} shock(s) over ${profile.shockLimitG} g (worst ${worst} g)${profile.fragile ? ' on fragile goods' : ''}`,
    });
  }
  if (facts.completenessPct < minCompletenessPct) {
    reasons.push({
      code: 'completeness-low',
      outcome: 'inspect',
      message: `${round1(facts.completenessPct)} % of the expected readings were received (minimum ${minCompletenessPct} %)`,
    });
  }
  const decision = reasons.reduce<Disposition>((worst, r) => worse(worst, r.outcome), 'accept');
  if (reasons.length === 0) {
    reasons.push({
      code: 'within-limits',
      outcome: 'accept',
      message: `every limit of profile ${profile.id} held`,
    });
  }
  return { decision, reasons };
}

const RANK: Record<Disposition, number> = { accept: 0, inspect: 1, reject: 2 };

function worse(a: Disposition, b: Disposition): Disposition {
  return RANK[b] > RANK[a] ? b : a;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
