/**
 * Fleet KPIs from geofence crossings (issue 7: "the chain asked for them when it tagged its roll
 * cages"). Definitions, in the chain's words:
 * - a **visit** runs from entering a site's geofence to leaving it (still open: until `untilMs`);
 * - a **trip** is leaving one site and next entering a different one;
 * - a **rotation** runs from leaving a warehouse to next entering that same warehouse, having
 *   visited at least one store (hypermarket or supermarket) on the way.
 */
export interface Crossing {
  type: 'enter' | 'leave';
  siteId: string;
  siteKind?: string;
  at: number;
}

export interface SiteTime {
  siteId: string;
  siteKind: string | null;
  visits: number;
  totalMin: number;
}

export interface Rotation {
  warehouseId: string;
  departedAt: string;
  returnedAt: string;
  durationMin: number;
  storeIds: string[];
}

export interface ContainerKpis {
  trips: number;
  rotations: Rotation[];
  meanRotationMin: number | null;
  sites: SiteTime[];
}

const STORE_KINDS = new Set(['hypermarket', 'supermarket']);
const round1 = (x: number) => Math.round(x * 10) / 10;
const iso = (ms: number) => new Date(ms).toISOString();

/** KPIs of one container from its crossings, oldest first. */
export function containerKpis(crossings: readonly Crossing[], untilMs: number): ContainerKpis {
  const open = new Map<string, number>();
  const sites = new Map<string, SiteTime>();
  const rotations: Rotation[] = [];
  let trips = 0;
  let lastLeft: string | undefined;
  let rotation: { warehouseId: string; departedAt: number; stores: Set<string> } | undefined;
  const siteTime = (c: Crossing) => {
    let s = sites.get(c.siteId);
    if (!s)
      sites.set(c.siteId, (s = { siteId: c.siteId, siteKind: c.siteKind ?? null, visits: 0, totalMin: 0 }));
    return s;
  };
  for (const c of crossings) {
    if (c.type === 'enter') {
      open.set(c.siteId, c.at);
      siteTime(c).visits += 1;
      if (lastLeft !== undefined && lastLeft !== c.siteId) trips += 1;
      lastLeft = undefined;
      if (rotation && STORE_KINDS.has(c.siteKind ?? '')) rotation.stores.add(c.siteId);
      if (rotation && c.siteId === rotation.warehouseId) {
        if (rotation.stores.size > 0) {
          rotations.push({
            warehouseId: rotation.warehouseId,
            departedAt: iso(rotation.departedAt),
            returnedAt: iso(c.at),
            durationMin: round1((c.at - rotation.departedAt) / 60_000),
            storeIds: [...rotation.stores],
          });
        }
        rotation = undefined;
      }
      continue;
    }
    const since = open.get(c.siteId);
    if (since !== undefined) {
      siteTime(c).totalMin += (c.at - since) / 60_000;
      open.delete(c.siteId);
    }
    lastLeft = c.siteId;
    if (c.siteKind === 'warehouse') rotation = { warehouseId: c.siteId, departedAt: c.at, stores: new Set() };
  }
  for (const [siteId, since] of open) {
    const s = sites.get(siteId);
    if (s) s.totalMin += Math.max(0, untilMs - since) / 60_000;
  }
  const total = rotations.reduce((a, r) => a + r.durationMin, 0);
  return {
    trips,
    rotations,
    meanRotationMin: rotations.length > 0 ? round1(total / rotations.length) : null,
    sites: [...sites.values()].map((s) => ({ ...s, totalMin: round1(s.totalMin) })),
  };
}
