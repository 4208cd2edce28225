import { Injectable } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { ContainersService } from '#src/fleet/containers.service.js';
import { JourneyEventsRepository } from '#src/journeys/journey-events.repository.js';
import type { JourneyEvent } from '#src/journeys/journey.types.js';
import { containerKpis, type ContainerKpis, type Crossing } from './container-kpis.util.js';

/** Most crossings one KPI request reads (a roll cage crosses a few geofences a day). */
const MAX_CROSSINGS = 1_000_000;

/** Fleet KPIs over a window; each field is described in fleet-kpis.dto.ts (and so in OpenAPI). */
export interface FleetKpis {
  from: string;
  to: string;
  /** Containers registered now. */
  containers: number;
  /** Containers with at least one geofence crossing in the window. */
  containersSeenAtSites: number;
  trips: number;
  rotations: number;
  meanRotationMin: number | null;
  /** Total time spent inside sites of each kind, minutes. */
  minutesBySiteKind: Record<string, number>;
}

const toCrossing = (e: JourneyEvent): Crossing => ({
  type: e.type === 'enter' ? 'enter' : 'leave',
  siteId: e.siteId ?? '',
  ...(e.siteKind !== undefined && { siteKind: e.siteKind }),
  at: e.at,
});

/** Fleet KPIs (issue 7) from the journeys' geofence crossings. */
@Injectable()
export class FleetKpisService {
  constructor(
    private readonly events: JourneyEventsRepository,
    private readonly containers: ContainersService,
    private readonly clock: Clock,
  ) {}

  async container(
    containerId: string,
    from: number,
    to: number,
  ): Promise<ContainerKpis & { containerId: string }> {
    await this.containers.require(containerId);
    const crossings = (await this.events.byContainer(containerId, from, to, MAX_CROSSINGS))
      .filter((e) => e.type === 'enter' || e.type === 'leave')
      .map(toCrossing);
    return { containerId, ...containerKpis(crossings, Math.min(to, this.clock.now())) };
  }

  async fleet(from: number, to: number): Promise<FleetKpis> {
    const byContainer = new Map<string, Crossing[]>();
    for (const e of await this.events.crossings(from, to, MAX_CROSSINGS)) {
      let list = byContainer.get(e.containerId);
      if (!list) byContainer.set(e.containerId, (list = []));
      list.push(toCrossing(e));
    }
    const until = Math.min(to, this.clock.now());
    let trips = 0;
    const rotationMinutes: number[] = [];
    const minutesBySiteKind: Record<string, number> = {};
    for (const crossings of byContainer.values()) {
      const k = containerKpis(crossings, until);
      trips += k.trips;
      rotationMinutes.push(...k.rotations.map((r) => r.durationMin));
      for (const s of k.sites) {
        const kind = s.siteKind ?? 'unknown';
        minutesBySiteKind[kind] = Math.round(((minutesBySiteKind[kind] ?? 0) + s.totalMin) * 10) / 10;
      }
    }
    const sum = rotationMinutes.reduce((a, b) => a + b, 0);
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      containers: await this.containers.count(),
      containersSeenAtSites: byContainer.size,
      trips,
      rotations: rotationMinutes.length,
      meanRotationMin:
        rotationMinutes.length > 0 ? Math.round((sum / rotationMinutes.length) * 10) / 10 : null,
      minutesBySiteKind,
    };
  }
}
