import type { ScenarioDefinition } from '../src/scenario/scenario.types.js';

/** Everything LoRaWAN does to a pipeline, on every device: the ingestion must shrug it off. */
export const loraChaos: ScenarioDefinition = {
  name: 'lora-chaos',
  description: 'ChirpStack uplinks with 8 % lost frames, 15 % duplicates, 5 % late (10 s–1 h) and a reboot.',
  expectedAlerts: [
    {
      rule: 'frame-loss',
      severity: 'info',
      containers: 'some',
      why:
        'lost and late frames (8 % + 5 %) push some hour windows of some devices over the 30 % limit; ' +
        'duplicates and the reboot raise nothing',
    },
  ],
  devices: 10,
  durationMs: 6 * 3_600_000,
  uplinkIntervalMs: 120_000,
  format: 'chirpstack',
  speedup: 600,
  profile: 'chilled',
  routes: ['lyon-sqf--paris-rungis', 'paris-rungis--lille-lesquin', 'lyon-corbas--marseille-arnavaux'],
  departureSpreadMs: 60 * 60_000,
  affectedDevices: 10,
  incidents: {
    lora: {
      lossRate: 0.08,
      duplicateRate: 0.15,
      lateRate: 0.05,
      lateMs: [10_000, 3_600_000],
      rebootAtMs: 3 * 3_600_000,
    },
  },
};
