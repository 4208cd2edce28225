import type { DwellStop } from '#src/shipments/eta/dwell.detector.js';
import type { Fix, MotionState, MotionStatus } from '#src/shipments/eta/motion.tracker.js';
import type { SiteMembership } from '#src/shipments/geo/geofence.tracker.js';
import type { ContainerJourneyState } from './journey.types.js';

// How the journey store holds a container's state (issue 11: memory per container): its numbers
// in one array of doubles, its site parts (usually none) by reference, unpacked into a fresh
// object whenever it is read, and repacked in place when it changes.

/** A state as held: its numbers alone when it is near no site, the packed form otherwise. */
export type HeldJourney = PackedJourney | number[];

/**
 * Every field of the state's parts is packed below: a field added to these types without being
 * packed is a compile error here rather than a field silently lost.
 */
type Unpacked<T, K extends readonly PropertyKey[]> = Exclude<keyof T, K[number]>;
type NoneLeft<T extends never> = T;
export type JourneyFieldsNotPacked = [
  NoneLeft<
    Unpacked<
      ContainerJourneyState,
      ['containerId', 'geofence', 'motion', 'dwell', 'lastFixAt', 'lastFix', 'alerts']
    >
  >,
  NoneLeft<Unpacked<ContainerJourneyState['geofence'], ['lastMeasuredAt', 'sites']>>,
  NoneLeft<Unpacked<ContainerJourneyState['alerts'], ['unexpectedSiteIds', 'delayMin', 'dwellSince']>>,
  NoneLeft<Unpacked<ContainerJourneyState['dwell'], ['stop']>>,
  NoneLeft<
    Unpacked<
      MotionState,
      ['status', 'lastFix', 'anchor', 'speedKmh', 'movingSpeedKmh', 'stop', 'outliersInRow']
    >
  >,
  NoneLeft<Unpacked<DwellStop, ['since', 'lat', 'lon', 'siteIds', 'exceeded']>>,
  NoneLeft<Unpacked<Fix, ['lat', 'lon', 'at']>>,
];

const STATUSES: readonly MotionStatus[] = ['unknown', 'moving', 'stopped'];
const NO_SITES: Readonly<Record<string, SiteMembership>> = Object.freeze({});
const NO_IDS: readonly string[] = Object.freeze([]);

/**
 * Offsets in {@link PackedJourney.n}; NaN marks an absent optional number. Stored as is in
 * `journey_state` rows (journey-state.row.ts): add new offsets at the end only (a row written
 * before has NaN there); moving or removing one needs a new row format.
 */
const At = {
  LastFixAt: 0,
  LastFixLat: 1,
  LastFixLon: 2,
  GeofenceLastAt: 3,
  Status: 4,
  SpeedKmh: 5,
  MovingSpeedKmh: 6,
  OutliersInRow: 7,
  /** lat, lon, at */
  MotionFix: 8,
  Anchor: 11,
  Stop: 14,
  DwellSince: 17,
  DwellLat: 18,
  DwellLon: 19,
  DwellExceeded: 20,
  DelayMin: 21,
  AlertDwellSince: 22,
  Size: 23,
} as const;

/** A journey state's numbers, plus its site ids and memberships when it has any (near sites). */
export interface PackedJourney {
  n: number[];
  sites: Record<string, SiteMembership>;
  dwellSiteIds: readonly string[];
  unexpectedSiteIds: readonly string[];
}

/** Packs a state: numbers into one double array, and the (usually empty) site parts by reference. */
export function packJourney(s: ContainerJourneyState): PackedJourney {
  const n = new Array<number>(At.Size);
  writeNumbers(n, s);
  const sites = s.geofence.sites;
  const stop = s.dwell.stop;
  const unexpected = s.alerts.unexpectedSiteIds;
  return {
    n,
    sites: isEmpty(sites) ? NO_SITES : sites,
    dwellSiteIds: stop === undefined || stop.siteIds.length === 0 ? NO_IDS : stop.siteIds,
    unexpectedSiteIds: unexpected.length === 0 ? NO_IDS : unexpected,
  };
}

/**
 * The held form of `s`, packed into what `previous` holds: its number array is overwritten, and
 * its site parts are kept when equal. Packing every fix into new objects left ~0.5 KB a reading
 * for the young-generation collector to copy into the old one (the map holding the states is
 * old), the bulk of the scavenges' time at 150,000 containers. What is held is never handed out
 * ({@link unpackJourney} copies), so overwriting it is safe.
 */
export function repackJourney(s: ContainerJourneyState, previous: HeldJourney | undefined): HeldJourney {
  if (previous === undefined) return heldJourney(packJourney(s));
  const wrapper = Array.isArray(previous) ? undefined : previous;
  const n = wrapper?.n ?? (previous as number[]);
  writeNumbers(n, s);
  const newSites = s.geofence.sites;
  const stop = s.dwell.stop;
  const sites = isEmpty(newSites)
    ? NO_SITES
    : wrapper !== undefined && sameSites(wrapper.sites, newSites)
      ? wrapper.sites
      : newSites;
  const dwellSiteIds = keepIfSame(wrapper?.dwellSiteIds, stop?.siteIds);
  const unexpectedSiteIds = keepIfSame(wrapper?.unexpectedSiteIds, s.alerts.unexpectedSiteIds);
  if (sites === NO_SITES && dwellSiteIds === NO_IDS && unexpectedSiteIds === NO_IDS) return n;
  if (wrapper === undefined) return { n, sites, dwellSiteIds, unexpectedSiteIds };
  wrapper.sites = sites;
  wrapper.dwellSiteIds = dwellSiteIds;
  wrapper.unexpectedSiteIds = unexpectedSiteIds;
  return wrapper;
}

/** Writes every slot of `n` (NaN for what the state does not have). */
function writeNumbers(n: number[], s: ContainerJourneyState): void {
  const m = s.motion;
  const stop = s.dwell.stop;
  n.fill(NaN);
  n[At.LastFixAt] = s.lastFixAt ?? NaN;
  n[At.LastFixLat] = s.lastFix?.lat ?? NaN;
  n[At.LastFixLon] = s.lastFix?.lon ?? NaN;
  n[At.GeofenceLastAt] = s.geofence.lastMeasuredAt ?? NaN;
  n[At.Status] = STATUSES.indexOf(m.status);
  n[At.SpeedKmh] = m.speedKmh;
  n[At.MovingSpeedKmh] = m.movingSpeedKmh ?? NaN;
  n[At.OutliersInRow] = m.outliersInRow;
  packFix(n, At.MotionFix, m.lastFix);
  packFix(n, At.Anchor, m.anchor);
  packFix(n, At.Stop, m.stop);
  if (stop !== undefined) {
    n[At.DwellSince] = stop.since;
    n[At.DwellLat] = stop.lat;
    n[At.DwellLon] = stop.lon;
    n[At.DwellExceeded] = stop.exceeded ? 1 : 0;
  }
  n[At.DelayMin] = s.alerts.delayMin ?? NaN;
  n[At.AlertDwellSince] = s.alerts.dwellSince ?? NaN;
}

/** A fresh, mutable state equal to the one packed. */
export function unpackJourney(containerId: string, p: PackedJourney): ContainerJourneyState {
  const n = p.n;
  const motion: MotionState = {
    status: STATUSES[n[At.Status]],
    speedKmh: n[At.SpeedKmh],
    outliersInRow: n[At.OutliersInRow],
  };
  const lastFix = unpackFix(n, At.MotionFix);
  if (lastFix !== undefined) motion.lastFix = lastFix;
  const anchor = unpackFix(n, At.Anchor);
  if (anchor !== undefined) motion.anchor = anchor;
  if (!Number.isNaN(n[At.MovingSpeedKmh])) motion.movingSpeedKmh = n[At.MovingSpeedKmh];
  const stop = unpackFix(n, At.Stop);
  if (stop !== undefined) motion.stop = stop;
  const state: ContainerJourneyState = {
    containerId,
    geofence: { sites: copySites(p.sites) },
    motion,
    dwell: {},
    alerts: { unexpectedSiteIds: [...p.unexpectedSiteIds] },
  };
  if (!Number.isNaN(n[At.GeofenceLastAt])) state.geofence.lastMeasuredAt = n[At.GeofenceLastAt];
  if (!Number.isNaN(n[At.DwellSince])) {
    state.dwell.stop = {
      since: n[At.DwellSince],
      lat: n[At.DwellLat],
      lon: n[At.DwellLon],
      siteIds: [...p.dwellSiteIds],
      exceeded: n[At.DwellExceeded] === 1,
    };
  }
  if (!Number.isNaN(n[At.LastFixAt])) state.lastFixAt = n[At.LastFixAt];
  if (!Number.isNaN(n[At.LastFixLat])) state.lastFix = { lat: n[At.LastFixLat], lon: n[At.LastFixLon] };
  if (!Number.isNaN(n[At.DelayMin])) state.alerts.delayMin = n[At.DelayMin];
  if (!Number.isNaN(n[At.AlertDwellSince])) state.alerts.dwellSince = n[At.AlertDwellSince];
  return state;
}

/** Numbers of a packed state ({@link PackedJourney.n}). */
export const JOURNEY_NUMBERS: number = At.Size;

/**
 * The held form of stored parts: empty site parts become the shared empty ones, so that a state
 * near no site is held as its numbers alone, as {@link packJourney} would hold it.
 */
export function heldFromParts(
  n: number[],
  sites: Record<string, SiteMembership>,
  dwellSiteIds: readonly string[],
  unexpectedSiteIds: readonly string[],
): HeldJourney {
  return heldJourney({
    n,
    sites: isEmpty(sites) ? NO_SITES : sites,
    dwellSiteIds: dwellSiteIds.length === 0 ? NO_IDS : dwellSiteIds,
    unexpectedSiteIds: unexpectedSiteIds.length === 0 ? NO_IDS : unexpectedSiteIds,
  });
}

/** What the store holds for a packed state: its numbers alone when it has no site parts. */
export function heldJourney(p: PackedJourney): HeldJourney {
  return p.sites === NO_SITES && p.dwellSiteIds === NO_IDS && p.unexpectedSiteIds === NO_IDS ? p.n : p;
}

/** {@link unpackJourney} of what the store holds. */
export function unpackHeld(containerId: string, held: HeldJourney): ContainerJourneyState {
  return unpackJourney(
    containerId,
    Array.isArray(held)
      ? { n: held, sites: NO_SITES, dwellSiteIds: NO_IDS, unexpectedSiteIds: NO_IDS }
      : held,
  );
}

function packFix(n: number[], at: number, fix: Fix | undefined): void {
  if (fix === undefined) return;
  n[at] = fix.lat;
  n[at + 1] = fix.lon;
  n[at + 2] = fix.at;
}

function unpackFix(n: number[], at: number): Fix | undefined {
  return Number.isNaN(n[at + 2]) ? undefined : { lat: n[at], lon: n[at + 1], at: n[at + 2] };
}

/** Whether two memberships records say the same (same sites, same membership in each). */
function sameSites(held: Record<string, SiteMembership>, next: Record<string, SiteMembership>): boolean {
  let count = 0;
  for (const id in next) {
    const a = held[id];
    const b = next[id];
    if (a === undefined || a.inside !== b.inside || a.pendingSince !== b.pendingSince) return false;
    count++;
  }
  for (const _ in held) count--;
  return count === 0;
}

/** `held` when `next` has the same ids in the same order; `next` (or none) otherwise. */
function keepIfSame(
  held: readonly string[] | undefined,
  next: readonly string[] | undefined,
): readonly string[] {
  if (next === undefined || next.length === 0) return NO_IDS;
  if (held === undefined || held.length !== next.length) return next;
  for (let i = 0; i < next.length; i++) if (held[i] !== next[i]) return next;
  return held;
}

function isEmpty(record: object): boolean {
  for (const _ in record) return false;
  return true;
}

/** Memberships are mutable objects: the state handed out must not alias the packed one. */
function copySites(sites: Record<string, SiteMembership>): Record<string, SiteMembership> {
  const copy: Record<string, SiteMembership> = {};
  for (const id in sites) copy[id] = { ...sites[id] };
  return copy;
}
