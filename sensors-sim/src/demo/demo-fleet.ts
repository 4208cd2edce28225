import { generateMessages, type SimMessage } from '../generator/message.generator.js';
import { MinHeap } from '../generator/min-heap.js';
import { provisionRequests, type ProvisionRequest } from '../provision/provision.bodies.js';
import { loadScenario } from '../scenario/scenario.loader.js';
import type { ScenarioDefinition } from '../scenario/scenario.types.js';
import { buildWorld, type World } from '../world/fleet.js';

/** The scenarios `npm run demo` runs side by side, each with its own trailers. */
export const DEMO_SCENARIOS: readonly string[] = [
  'normal-day',
  'cold-chain-break',
  'rough-handling',
  'sensor-offline',
  'detour-and-dwell',
  'late-delivery',
];

/** Twelve simulated hours: every incident of the mix happens within them. */
export const DEMO_DURATION_MS = 12 * 3_600_000;

export interface DemoFleetOptions {
  seed: string;
  /** Simulated start, epoch ms; every scenario starts then. */
  startMs: number;
  durationMs?: number;
  scenarios?: readonly string[];
}

/** Several scenarios on one timeline: one world each, published as one stream. */
export class DemoFleet {
  readonly worlds: readonly World[];
  readonly startMs: number;
  readonly endMs: number;
  private readonly scenarioByContainer = new Map<string, ScenarioDefinition>();

  constructor(o: DemoFleetOptions) {
    const durationMs = o.durationMs ?? DEMO_DURATION_MS;
    this.startMs = o.startMs;
    this.endMs = o.startMs + durationMs;
    this.worlds = (o.scenarios ?? DEMO_SCENARIOS).map((name) =>
      buildWorld(loadScenario(name), { seed: o.seed, startMs: o.startMs, durationMs }),
    );
    for (const w of this.worlds)
      for (const d of w.devices) this.scenarioByContainer.set(d.containerId, w.scenario);
  }

  /** The scenario a container belongs to, for people reading the alerts. */
  scenarioOf(containerId: string): ScenarioDefinition | undefined {
    return this.scenarioByContainer.get(containerId);
  }

  /** Containers a scenario's incidents touch (where its promised alerts should appear). */
  affectedContainers(): { scenario: string; containerId: string }[] {
    return this.worlds.flatMap((w) =>
      w.devices
        .filter((d) => d.affected)
        .map((d) => ({ scenario: w.scenario.name, containerId: d.containerId })),
    );
  }

  /** Every world's REST requests, the shared sites once. */
  provisionRequests(): ProvisionRequest[] {
    const seen = new Set<string>();
    return this.worlds
      .flatMap((w) => provisionRequests(w, w.scenario.format))
      .filter((r) => {
        const key = `${r.what} ${r.id}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
  }

  /** All worlds' messages merged in simulated-time order (ties: the order of the worlds). */
  *messages(): Generator<SimMessage> {
    const heap = new MinHeap<{ message: SimMessage; rest: Iterator<SimMessage> }>();
    const pushNext = (rest: Iterator<SimMessage>) => {
      const next = rest.next();
      if (!next.done) heap.push(next.value.atSimMs, { message: next.value, rest });
    };
    for (const w of this.worlds) pushNext(generateMessages(w, w.scenario.format));
    for (let top = heap.pop(); top; top = heap.pop()) {
      yield top.value.message;
      pushNext(top.value.rest);
    }
  }
}
