import type { ProductProfile, ProductProfileId } from './product-profile.js';

/*
 * The seed profiles. Sources:
 * - ATP = UNECE Agreement on the International Carriage of Perishable Foodstuffs. Annex 2: ice
 *   cream −20 °C, quick-frozen foodstuffs −18 °C, and "a brief rise of not more than 3 °C" of part
 *   of the load during operations such as defrosting the evaporator. Annex 3: maxima for chilled
 *   foods (minced meat +2, red offal +3, poultry, rabbits and small game +4, meat products, dairy,
 *   pasteurised milk, ready meals +6, red meat +7, fish at the temperature of melting ice), and its
 *   general instruction that temperature control "must not result in freezing" any part of the load.
 * - Directive 89/108/EEC (quick-frozen foodstuffs) repeats −18 °C with brief +3 °C fluctuations;
 *   EU Reg. 37/2005 requires recording instruments (EN 12830) for them and records kept ≥ 1 year.
 * - EU Reg. 853/2004 Annex III: minced meat +2, offal +3, poultry and meat preparations +4, other
 *   meat +7; fishery products at the temperature of melting ice.
 * - "Practice" marks a figure from common retail distribution practice, not a regulation: tune it
 *   per customer. Tolerated excursion times cover door openings at delivery (a roll-cage delivery
 *   takes 5–15 min) without hiding a failed reefer unit. Sensor intervals are those of common
 *   LoRaWAN loggers (5 min); offline after 3 missed readings. Shock limits: road vibration stays
 *   under ~2 g at the logger, handling knocks reach 3–8 g, drops well above 10 g (ISTA 3A drop
 *   tests are the reference for fragile packaging).
 * Freezing points (why chilled profiles have a minimum): fresh meat and dairy start freezing at
 * about −0.5 to −2 °C (milk −0.54 °C); 0 °C keeps a margin over sensor accuracy (EN 12830 class 1:
 * ±1 K), and a frozen-and-thawed chilled product may no longer be sold as fresh.
 */

const FROZEN_COMMON = {
  toleratedExcursion: { consecutiveMin: 30, cumulativeMin: 120 }, // practice: frozen load has thermal mass
  clear: { marginC: 1, delayMin: 10 }, // practice: 1 K = EN 12830 class 1 accuracy, no flapping
  shockLimitG: 8, // practice
  expectedIntervalS: 300, // practice (LoRaWAN logger)
  offlineFactor: 3,
  batteryLowPct: 20, // practice: weeks of margin on Li-SOCl2 cells
  grace: { warmUpMin: 30, defrostMin: 30, defrostToleranceC: 3 }, // ATP Annex 2: brief +3 °C in defrost
} as const;

const CHILLED_COMMON = {
  toleratedExcursion: { consecutiveMin: 15, cumulativeMin: 60 }, // practice: "above 4 °C for 15 min"
  clear: { marginC: 0.5, delayMin: 10 }, // practice: a chilled-4 alert clears below +3.5 °C for 10 min
  shockLimitG: 8,
  expectedIntervalS: 300,
  offlineFactor: 3,
  batteryLowPct: 20,
  // ATP's +3 °C defrost allowance is written for frozen goods (Annex 2); for chilled goods a
  // defrost must stay within the limit, so no extra tolerance, only the warm-up after loading.
  grace: { warmUpMin: 20, defrostMin: 0, defrostToleranceC: 0 },
} as const;

function chilled(maxC: 2 | 3 | 4 | 6 | 7, minC: number, description: string): ProductProfile {
  return {
    id: `chilled-${maxC}`,
    name: `Chilled ≤ +${maxC} °C`,
    description,
    temperature: { minC, maxC },
    ...CHILLED_COMMON,
  };
}

export const PRODUCT_PROFILES: Readonly<Record<ProductProfileId, ProductProfile>> = {
  frozen: {
    id: 'frozen',
    name: 'Frozen ≤ −18 °C',
    description: 'Quick-frozen foods, frozen fish and meat (ATP Annex 2, Directive 89/108/EEC).',
    temperature: { maxC: -18 },
    ...FROZEN_COMMON,
  },
  'ice-cream': {
    id: 'ice-cream',
    name: 'Ice cream ≤ −20 °C',
    description: 'Ice cream and frozen desserts (ATP Annex 2).',
    temperature: { maxC: -20 },
    ...FROZEN_COMMON,
  },
  // Fish in melting ice sits at 0 °C and starts freezing near −1 °C: minimum −1 °C, not 0.
  'chilled-2': chilled(2, -1, 'Minced meat, fresh fish and seafood (ATP Annex 3, Reg. 853/2004).'),
  'chilled-3': chilled(3, 0, 'Red offal (ATP Annex 3, Reg. 853/2004).'),
  'chilled-4': chilled(4, 0, 'Poultry, rabbit, small game, meat preparations (ATP Annex 3).'),
  'chilled-6': chilled(
    6,
    0,
    'Meat products, dairy, pasteurised milk, ready meals, cut vegetables (ATP Annex 3).',
  ),
  'chilled-7': chilled(7, 0, 'Red meat and large game (ATP Annex 3, Reg. 853/2004).'),
  'fresh-produce': {
    id: 'fresh-produce',
    name: 'Fresh produce +2…+12 °C',
    description: 'Mixed fruit and vegetables, not pre-cut (not in ATP; practice for mixed loads).',
    // Practice: below +2 °C leafy greens freeze and chill-sensitive produce (tomato, cucumber) is
    // injured; above +12 °C ripening and decay speed up.
    temperature: { minC: 2, maxC: 12 },
    // USDA Agriculture Handbook 66: most produce keeps best at 85–95 %RH (drier wilts, wetter
    // moulds); the alert band is 5 and 3 points wider for the ±3 %RH of common sensors.
    humidity: { minPct: 80, maxPct: 98, toleratedMin: 60 },
    toleratedExcursion: { consecutiveMin: 30, cumulativeMin: 120 },
    clear: { marginC: 0.5, delayMin: 10 },
    shockLimitG: 8,
    expectedIntervalS: 300,
    offlineFactor: 3,
    batteryLowPct: 20,
    grace: { warmUpMin: 20, defrostMin: 0, defrostToleranceC: 0 },
  },
  ambient: {
    id: 'ambient',
    name: 'Ambient 0…+25 °C',
    description: 'Dry grocery and drinks (practice: frost splits bottles, chocolate blooms above 25 °C).',
    temperature: { minC: 0, maxC: 25 },
    toleratedExcursion: { consecutiveMin: 60, cumulativeMin: 240 },
    clear: { marginC: 1, delayMin: 15 },
    shockLimitG: 8,
    expectedIntervalS: 900, // practice: ambient loads need fewer readings (battery life)
    offlineFactor: 4,
    batteryLowPct: 20,
    grace: { warmUpMin: 0, defrostMin: 0, defrostToleranceC: 0 },
  },
  fragile: {
    id: 'fragile',
    name: 'Fragile (ambient, tight shock limit)',
    description: 'Glass, eggs, electronics: any knock over 3 g is recorded (practice; see ISTA 3A).',
    temperature: { minC: 0, maxC: 25 },
    toleratedExcursion: { consecutiveMin: 60, cumulativeMin: 240 },
    clear: { marginC: 1, delayMin: 15 },
    shockLimitG: 3,
    expectedIntervalS: 300,
    offlineFactor: 3,
    batteryLowPct: 20,
    grace: { warmUpMin: 0, defrostMin: 0, defrostToleranceC: 0 },
  },
};

/** The profile with that id, or undefined for an unknown id (input from planners). */
export function findProductProfile(id: string): ProductProfile | undefined {
  return Object.hasOwn(PRODUCT_PROFILES, id) ? PRODUCT_PROFILES[id as ProductProfileId] : undefined;
}
