import type { AlertSeverity } from '#src/contracts/alert-event.js';
import type { ProfileId } from '../physics/reefer.physics.js';
import type { Slowdown } from '../world/trip-plan.js';

export type WireFormat = 'json' | 'chirpstack' | 'tts';
export const WIRE_FORMATS: readonly WireFormat[] = ['json', 'chirpstack', 'tts'];

/** An alert a scenario promises to cause (checked by the end-to-end suite). */
export interface ExpectedAlert {
  /** Rule id as the rules engine names it. */
  rule: string;
  /** The lowest severity it opens with (it may open higher, or escalate). */
  severity: AlertSeverity;
  /**
   * Which containers get it: every affected one, every container, or some of the affected ones
   * (at least one; chance decides which, e.g. a burst of lost LoRa frames).
   */
  containers: 'affected' | 'all' | 'some';
  /** Why it happens, for people reading `convoi-sim scenarios`. */
  why: string;
}

/** Radio troubles on the LoRaWAN formats. */
export interface LoraTroubles {
  /** Probability an uplink is lost (no gateway heard it): a frame-counter gap. */
  lossRate: number;
  /** Probability an uplink is delivered several times (several gateways, several integrations). */
  duplicateRate: number;
  /** Probability an uplink is held back by a gateway backhaul and delivered late. */
  lateRate: number;
  /** How late, ms: min and max (typically 10 s to 1 h). */
  lateMs: readonly [number, number];
  /** Device reboots at this simulated offset: its frame counter starts again at 0. */
  rebootAtMs?: number;
}

/** What goes wrong, applied to the first `affectedDevices` devices of the fleet. */
export interface Incidents {
  /** The refrigeration unit stops at this offset from the start, for good. */
  compressorFailureAtMs?: number;
  /** Drops at the docks. */
  drops?: { probability: number; peakG: readonly [number, number] };
  /** Take this route instead of the scheduled first one. */
  routeOverride?: string;
  /** Slow traffic on the first trip. */
  slowdowns?: readonly Slowdown[];
  /** Stops outside any site on the first trip. */
  dwells?: readonly { atKm: number; durationMs: number }[];
  /** The device stops sending for a while; `buffered` devices send the gap as a batch after. */
  offline?: { fromMs: number; durationMs: number; buffered: boolean };
  lora?: LoraTroubles;
}

/** A named scenario: defaults, the world it sets up, what goes wrong and what should be raised. */
export interface ScenarioDefinition {
  name: string;
  /** One line. */
  description: string;
  expectedAlerts: readonly ExpectedAlert[];
  devices: number;
  durationMs: number;
  uplinkIntervalMs: number;
  format: WireFormat;
  speedup: number;
  profile: ProfileId;
  /** Route ids of the first trips, assigned round-robin; later trips head back. */
  routes: readonly string[];
  /** First trips depart within this many ms of the start (spread over the fleet). */
  departureSpreadMs: number;
  /** How many devices (the first ones) the incidents touch; the others run normally. */
  affectedDevices: number;
  incidents: Incidents;
  /** Trucks keep parked instead of driving (benchmarks). */
  parked?: boolean;
}
