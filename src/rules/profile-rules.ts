import type { Band, GraceWindow, RuleDefinition } from '#src/contracts/rule-definition.js';
import type { ProductProfile } from '#src/profiles/product-profile.js';

/** What a planner may change for one shipment; each field replaces the profile's when given. */
export interface ShipmentRuleOverrides {
  temperature?: { minC?: number; maxC?: number };
  toleratedExcursion?: { consecutiveMin?: number; cumulativeMin?: number };
  shockLimitG?: number;
  expectedIntervalS?: number;
  /** When the load went into the container, epoch ms: starts the warm-up grace window. */
  loadedAt?: number;
  /**
   * Start times (epoch ms) of declared defrosts (reefer status or REST). Each opens the profile's
   * defrost window; profiles without a defrost allowance (chilled) ignore them.
   */
  defrostsAt?: readonly number[];
}

/** Container-level rules when no shipment is loaded: device health only. */
export interface ContainerDefaults {
  expectedIntervalS: number;
  offlineFactor: number;
  batteryLowPct: number;
}

export const CONTAINER_DEFAULTS: ContainerDefaults = {
  expectedIntervalS: 300,
  offlineFactor: 3,
  batteryLowPct: 20,
};

/** Problems with a profile (after overrides), for the planners' API to report; empty when fine. */
export function profileProblems(profile: ProductProfile): string[] {
  const problems: string[] = [];
  const { minC, maxC } = profile.temperature;
  if (minC !== undefined && maxC !== undefined && !(minC < maxC))
    problems.push('temperature.minC must be below maxC');
  const { minPct, maxPct } = profile.humidity ?? {};
  if (minPct !== undefined && maxPct !== undefined && !(minPct < maxPct))
    problems.push('humidity.minPct must be below maxPct');
  const nonNegative: [string, number][] = [
    ['toleratedExcursion.consecutiveMin', profile.toleratedExcursion.consecutiveMin],
    ['toleratedExcursion.cumulativeMin', profile.toleratedExcursion.cumulativeMin],
    ['clear.marginC', profile.clear.marginC],
    ['clear.delayMin', profile.clear.delayMin],
    ['grace.warmUpMin', profile.grace.warmUpMin],
    ['grace.defrostMin', profile.grace.defrostMin],
    ['grace.defrostToleranceC', profile.grace.defrostToleranceC],
  ];
  for (const [name, value] of nonNegative) if (!(value >= 0)) problems.push(`${name} must be ≥ 0`);
  if (!(profile.shockLimitG > 0)) problems.push('shockLimitG must be > 0');
  if (!(profile.expectedIntervalS > 0)) problems.push('expectedIntervalS must be > 0');
  if (!(profile.offlineFactor >= 1)) problems.push('offlineFactor must be ≥ 1');
  if (!(profile.batteryLowPct > 0 && profile.batteryLowPct < 100))
    problems.push('batteryLowPct must be in (0, 100)');
  return problems;
}

/** The profile with a shipment's overrides applied. */
export function applyOverrides(
  profile: ProductProfile,
  overrides: ShipmentRuleOverrides = {},
): ProductProfile {
  return {
    ...profile,
    temperature: {
      minC: overrides.temperature?.minC ?? profile.temperature.minC,
      maxC: overrides.temperature?.maxC ?? profile.temperature.maxC,
    },
    toleratedExcursion: {
      consecutiveMin:
        overrides.toleratedExcursion?.consecutiveMin ?? profile.toleratedExcursion.consecutiveMin,
      cumulativeMin: overrides.toleratedExcursion?.cumulativeMin ?? profile.toleratedExcursion.cumulativeMin,
    },
    shockLimitG: overrides.shockLimitG ?? profile.shockLimitG,
    expectedIntervalS: overrides.expectedIntervalS ?? profile.expectedIntervalS,
  };
}

/**
 * The concrete rules of a shipment with this profile. Severity choices:
 * - temperature-high is raised critical: it fires only once the tolerated excursion is used up,
 *   so the goods are out of specification (ATP "shall not exceed");
 * - temperature-low (freezing risk) is a warning, critical 2 °C further down or after twice the
 *   tolerated time; the cumulative budget a warning, critical at twice the budget;
 * - shocks a warning, critical at twice the limit; offline a warning, critical after 1 h for the
 *   temperature (a hole in the compliance record), 4 h for the device.
 * Throws a RangeError listing every problem when the profile with its overrides is inconsistent.
 */
export function rulesForProfile(
  base: ProductProfile,
  overrides: ShipmentRuleOverrides = {},
): RuleDefinition[] {
  const profile = applyOverrides(base, overrides);
  const problems = profileProblems(profile);
  if (problems.length > 0) throw new RangeError(`profile ${profile.id}: ${problems.join('; ')}`);

  const { minC, maxC } = profile.temperature;
  const { consecutiveMin, cumulativeMin } = profile.toleratedExcursion;
  const maxGapMin = (profile.offlineFactor * profile.expectedIntervalS) / 60;
  const clear = { margin: profile.clear.marginC, delayMin: profile.clear.delayMin };
  const grace = graceWindows(profile, overrides);
  const rules: RuleDefinition[] = [];

  if (maxC !== undefined) {
    rules.push({
      id: 'temperature-high',
      kind: 'duration',
      field: 'temperatureC',
      band: { max: maxC },
      raiseAfterMin: consecutiveMin,
      maxGapMin,
      clear,
      severity: { base: 'critical' },
      grace,
    });
  }
  if (minC !== undefined) {
    rules.push({
      id: 'temperature-low',
      kind: 'duration',
      field: 'temperatureC',
      band: { min: minC },
      raiseAfterMin: consecutiveMin,
      maxGapMin,
      clear,
      severity: {
        base: 'warning',
        escalations: [
          { severity: 'critical', beyond: 2 },
          { severity: 'critical', afterMin: 2 * consecutiveMin },
        ],
      },
      grace,
    });
  }
  rules.push({
    id: 'temperature-cumulative',
    kind: 'cumulative',
    field: 'temperatureC',
    band: band(minC, maxC),
    budgetMin: cumulativeMin,
    maxGapMin,
    severity: { base: 'warning', escalations: [{ severity: 'critical', afterMin: 2 * cumulativeMin }] },
    grace,
  });
  if (profile.humidity !== undefined) {
    rules.push({
      id: 'humidity-range',
      kind: 'duration',
      field: 'humidityPct',
      band: band(profile.humidity.minPct, profile.humidity.maxPct),
      raiseAfterMin: profile.humidity.toleratedMin,
      maxGapMin,
      clear: { margin: 2, delayMin: profile.clear.delayMin },
      severity: { base: 'warning' },
    });
  }
  rules.push(
    {
      id: 'shock',
      kind: 'shock',
      field: 'shockG',
      limitG: profile.shockLimitG,
      quietMin: 5,
      severity: { base: 'warning', escalations: [{ severity: 'critical', beyond: profile.shockLimitG }] },
    },
    {
      id: 'temperature-offline',
      kind: 'offline',
      key: 'temperatureC',
      expectedIntervalS: profile.expectedIntervalS,
      factor: profile.offlineFactor,
      severity: { base: 'warning', escalations: [{ severity: 'critical', afterMin: 60 }] },
    },
    ...containerDefaultRules({
      expectedIntervalS: profile.expectedIntervalS,
      offlineFactor: profile.offlineFactor,
      batteryLowPct: profile.batteryLowPct,
    }),
  );
  return rules;
}

/** Device health rules every container has, with or without a shipment. */
export function containerDefaultRules(options: Partial<ContainerDefaults> = {}): RuleDefinition[] {
  const { expectedIntervalS, offlineFactor, batteryLowPct } = { ...CONTAINER_DEFAULTS, ...options };
  return [
    {
      id: 'device-offline',
      kind: 'offline',
      key: 'any',
      expectedIntervalS,
      factor: offlineFactor,
      severity: { base: 'warning', escalations: [{ severity: 'critical', afterMin: 240 }] },
    },
    {
      id: 'battery-low',
      kind: 'battery-low',
      field: 'batteryPct',
      lowPct: batteryLowPct,
      clearMarginPct: 5, // practice: LoRa battery estimates jitter by a few percent
      severity: { base: 'warning', escalations: [{ severity: 'critical', beyond: batteryLowPct / 2 }] },
    },
    {
      id: 'frame-loss',
      kind: 'frame-loss',
      windowMin: 60,
      maxLossRatio: 0.3, // practice: LoRaWAN links commonly lose a few % of uplinks; 30 % is a sick link
      minFrames: 10,
      clearRatio: 0.1,
      severity: { base: 'info', escalations: [{ severity: 'warning', beyond: 0.3 }] },
    },
  ];
}

function graceWindows(profile: ProductProfile, overrides: ShipmentRuleOverrides): GraceWindow[] {
  const windows: GraceWindow[] = [];
  const { warmUpMin, defrostMin, defrostToleranceC } = profile.grace;
  if (overrides.loadedAt !== undefined && warmUpMin > 0) {
    windows.push({
      reason: 'warm-up',
      fromMs: overrides.loadedAt,
      toMs: overrides.loadedAt + warmUpMin * 60_000,
    });
  }
  if (defrostMin > 0 && defrostToleranceC > 0) {
    for (const at of overrides.defrostsAt ?? []) {
      windows.push({
        reason: 'defrost',
        fromMs: at,
        toMs: at + defrostMin * 60_000,
        toleranceAbove: defrostToleranceC,
      });
    }
  }
  return windows;
}

/** A band without `undefined` sides, so definitions survive a JSON round trip unchanged. */
function band(min: number | undefined, max: number | undefined): Band {
  return { ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
}
