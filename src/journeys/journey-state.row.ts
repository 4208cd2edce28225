import type { SiteMembership } from '#src/shipments/geo/geofence.tracker.js';
import {
  JOURNEY_NUMBERS,
  heldFromParts,
  packJourney,
  heldJourney,
  type HeldJourney,
} from './journey-state.packing.js';
import type { ContainerJourneyState } from './journey.types.js';

/** A state with site parts, as stored: its numbers and, when not empty, its site parts. */
interface PackedRow {
  n: (number | null)[];
  s?: Record<string, SiteMembership>;
  d?: string[];
  u?: string[];
}

/**
 * The `journey_state` row of a held state: its numbers as a JSON array (`null` for NaN), with its
 * site parts when it has any. Unpacking each state into objects to stringify them made a write of
 * 75,000 moving containers cost ~1.1 s of the main thread; as rows of numbers it costs ~0.7 s,
 * mostly the upserts.
 */
export function journeyRow(held: HeldJourney): string {
  if (Array.isArray(held)) return JSON.stringify(held);
  const row: PackedRow = { n: held.n };
  if (Object.keys(held.sites).length > 0) row.s = held.sites;
  if (held.dwellSiteIds.length > 0) row.d = [...held.dwellSiteIds];
  if (held.unexpectedSiteIds.length > 0) row.u = [...held.unexpectedSiteIds];
  return JSON.stringify(row);
}

/** The held state of a stored row: {@link journeyRow}'s, or a whole state as earlier versions wrote. */
export function heldFromRow(json: string): HeldJourney {
  const stored = JSON.parse(json) as (number | null)[] | PackedRow | ContainerJourneyState;
  if (Array.isArray(stored)) return heldFromParts(numbers(stored), {}, [], []);
  if ('n' in stored) return heldFromParts(numbers(stored.n), stored.s ?? {}, stored.d ?? [], stored.u ?? []);
  return heldJourney(packJourney(stored));
}

/** The numbers of a row: NaN where it had null, or nothing (an offset added since it was written). */
function numbers(stored: readonly (number | null)[]): number[] {
  const n = new Array<number>(JOURNEY_NUMBERS);
  for (let i = 0; i < JOURNEY_NUMBERS; i++) n[i] = stored[i] ?? NaN;
  return n;
}
