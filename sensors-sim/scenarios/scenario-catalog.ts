import type { ScenarioDefinition } from '../src/scenario/scenario.types.js';
import { coldChainBreak } from './cold-chain-break.scenario.js';
import { detourAndDwell } from './detour-and-dwell.scenario.js';
import { lateDelivery } from './late-delivery.scenario.js';
import { load } from './load.scenario.js';
import { loraChaos } from './lora-chaos.scenario.js';
import { normalDay } from './normal-day.scenario.js';
import { roughHandling } from './rough-handling.scenario.js';
import { sensorOffline } from './sensor-offline.scenario.js';

/** The named scenarios, in the order `convoi-sim scenarios` lists them. */
export const SCENARIOS: readonly ScenarioDefinition[] = [
  normalDay,
  coldChainBreak,
  roughHandling,
  detourAndDwell,
  sensorOffline,
  loraChaos,
  lateDelivery,
  load,
];
