import { PROFILES, type ReeferProfile } from '../physics/reefer.physics.js';
import { Prng } from '../random/prng.js';
import type { Incidents, ScenarioDefinition } from '../scenario/scenario.types.js';
import { ROUTES, routeById, type Route } from './routes.js';
import { siteById, type Site } from './sites.js';
import { TripPlan, type TripOptions } from './trip-plan.js';

/** One leg of goods: a trip of a container from one site to another. */
export interface SimTrip {
  shipmentId: string;
  plan: TripPlan;
  /** Arrival the planner expects: the trip without incidents at 70 km/h, plus 45 min of slack, epoch ms. */
  plannedArrivalMs: number;
}

/** A reefer trailer with its logger, its trips and what will go wrong with it. */
export interface SimDevice {
  index: number;
  deviceId: string;
  /** LoRaWAN DevEUI, 16 lower-case hex digits. */
  devEui: string;
  containerId: string;
  /** Secret the device uses on MQTT (username = deviceId), registered by `provision`. */
  secret: string;
  profile: ReeferProfile;
  /** Where the container is when it is not on a trip before its first one. */
  homeSite: Site;
  trips: SimTrip[];
  affected: boolean;
  incidents: Incidents;
  uplinkIntervalMs: number;
  initialBatteryPct: number;
}

export interface World {
  scenario: ScenarioDefinition;
  seed: string;
  /** Simulated start and end, epoch ms. */
  startMs: number;
  endMs: number;
  devices: SimDevice[];
}

export interface WorldOptions {
  seed: string;
  startMs: number;
  devices?: number;
  durationMs?: number;
}

/**
 * Slack a planner adds to a trip: 45 min, so the estimate right after leaving the depot (made
 * at low speed in the access roads) does not already call an undisturbed trip late.
 */
const PLANNING_SLACK_MS = 45 * 60_000;
/**
 * Planners reckon with a loaded truck's door-to-door average, not its cruising speed: 70 km/h is
 * what convoi's ETA assumes too (src/shipments/eta), so an undisturbed trip is never "late".
 */
const PLANNING_KMH = 70;

/** Builds the fleet of a scenario; everything derives from the seed and the scenario's name. */
export function buildWorld(scenario: ScenarioDefinition, o: WorldOptions): World {
  const count = o.devices ?? scenario.devices;
  const endMs = o.startMs + (o.durationMs ?? scenario.durationMs);
  const tag = Prng.derive(o.seed, `ids/${scenario.name}`).hex(2);
  const devices: SimDevice[] = [];
  for (let index = 0; index < count; index++) {
    const prng = Prng.derive(o.seed, `fleet/${scenario.name}/${index}`);
    const serial = String(index).padStart(5, '0');
    const deviceId = `sim-${tag}-${serial}`;
    const affected = index < scenario.affectedDevices;
    const incidents = affected ? scenario.incidents : {};
    const firstRoute = routeById(incidents.routeOverride ?? scenario.routes[index % scenario.routes.length]);
    const departAtMs = o.startMs + Math.floor(prng.range(0, scenario.departureSpreadMs));
    devices.push({
      index,
      deviceId,
      devEui: `a8${tag}${index.toString(16).padStart(10, '0')}`,
      containerId: `trl-${tag}-${serial}`,
      secret: Prng.derive(o.seed, `secret/${deviceId}`).hex(16),
      profile: PROFILES[scenario.profile],
      homeSite: siteById(firstRoute.from),
      trips: scenario.parked
        ? []
        : planTrips(prng, firstRoute, departAtMs, endMs, incidents, `${tag}-${serial}`),
      affected,
      incidents,
      uplinkIntervalMs: scenario.uplinkIntervalMs,
      initialBatteryPct: Math.round(prng.range(65, 100)),
    });
  }
  return { scenario, seed: o.seed, startMs: o.startMs, endMs, devices };
}

function planTrips(
  prng: Prng,
  first: Route,
  departAtMs: number,
  endMs: number,
  incidents: Incidents,
  idStem: string,
): SimTrip[] {
  const trips: SimTrip[] = [];
  let route: Route | undefined = first;
  let depart = departAtMs;
  while (route && depart < endMs) {
    const base: TripOptions = {
      departAtMs: depart,
      loadingMs: Math.round(prng.range(30, 45)) * 60_000,
      unloadingMs: Math.round(prng.range(25, 40)) * 60_000,
      cruiseKmh: prng.range(80, 88),
    };
    const isFirst = trips.length === 0;
    const options = isFirst ? { ...base, slowdowns: incidents.slowdowns, dwells: incidents.dwells } : base;
    const plan = new TripPlan(route, options);
    const nominal = new TripPlan(
      route.id === first.id && incidents.routeOverride ? scheduled(route) : route,
      {
        ...base,
        cruiseKmh: PLANNING_KMH,
      },
    );
    trips.push({
      shipmentId: `shp-${idStem}-${trips.length + 1}`,
      plan,
      plannedArrivalMs: nominal.arrivalMs + PLANNING_SLACK_MS,
    });
    depart = plan.endMs + Math.round(prng.range(60, 120)) * 60_000;
    route = returnRoute(route);
  }
  return trips;
}

/** The planner planned the ordinary road between the same sites, not the detour. */
function scheduled(route: Route): Route {
  return ROUTES.find((r) => r.from === route.from && r.to === route.to) ?? route;
}

function returnRoute(route: Route): Route | undefined {
  return ROUTES.find((r) => r.from === route.to && r.to === route.from);
}
