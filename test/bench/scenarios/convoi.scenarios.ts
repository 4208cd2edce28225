import { MosquittoProcess, mosquittoInstalled } from '#test/support/mosquitto-process.js';
import { memoryMb } from '../support/proc-stats.js';
import { everyDevice, FLEET_CONTAINERS, type BenchSettings } from './bench-settings.js';
import { withConvoi, type SessionEnd } from './convoi-session.js';
import { measureWindow, type WindowResult } from './measure.js';
import { stepUp, type StepUpResult } from './step-up.js';

export interface FixedResult {
  scenario: string;
  window: WindowResult;
  end: SessionEnd;
}

/** convoi, embedded broker and store, at a fixed rate of one format. */
export async function convoiFixed(
  settings: BenchSettings,
  template: string,
  scenario: string,
  format: 'json' | 'chirpstack',
  rate: number,
  seconds: number,
): Promise<FixedResult> {
  const devices = format === 'json' ? settings.jsonDevices : settings.chirpstackDevices;
  const { result, end } = await withConvoi({ label: scenario, template }, ({ target, load }) =>
    measureWindow(target, load, format, devices, rate, seconds),
  );
  return { scenario, window: result, end };
}

/** Highest sustainable rate of convoi with its embedded broker and store. */
export async function convoiStepUp(
  settings: BenchSettings,
  template: string,
): Promise<{ stepUp: StepUpResult; end: SessionEnd }> {
  const { result, end } = await withConvoi({ label: 'convoi-stepup', template }, ({ target, load }) =>
    stepUp(target, load, settings.jsonDevices, settings.stepUp),
  );
  return { stepUp: result, end };
}

/** convoi consuming from Mosquitto (BROKER_EMBEDDED=false, MQTT_URL): the devices publish to Mosquitto. */
export async function convoiExternalStepUp(
  settings: BenchSettings,
  template: string,
): Promise<{ stepUp?: StepUpResult; end?: SessionEnd; skipped?: string }> {
  if (!mosquittoInstalled()) return { skipped: 'mosquitto not installed' };
  const mosquitto = new MosquittoProcess();
  await mosquitto.start();
  try {
    const { result, end } = await withConvoi(
      {
        label: 'convoi-external',
        template,
        env: { BROKER_EMBEDDED: 'false', MQTT_URL: mosquitto.url },
        brokerUrl: mosquitto.url,
        extraProcesses: { mosquitto: mosquitto.pid },
      },
      ({ target, load }) => stepUp(target, load, settings.jsonDevices, settings.stepUp),
    );
    return { stepUp: result, end };
  } finally {
    await mosquitto.stop();
  }
}

export interface MemoryResult {
  containers: number;
  readingsStored: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  rssPerContainerBytes: number;
  heapPerContainerBytes: number;
  /** Messages the publishers could not send (held back by the broker). */
  heldBack: number;
  seconds: number;
  end: SessionEnd;
}

/** Rate of the memory scenario's one-reading-per-container pass. */
const MEMORY_RATE = 10_000;

/**
 * Memory per container: a fresh platform with the 150,000-container fleet, one reading for each
 * (both formats), RSS and V8 heap before and after. The delta is everything a container's first
 * reading costs: live state, rule state, journey state, dedupe keys. Its data dir, where every
 * container has reported, is the fleet the rate scenarios start from (a steady state: no
 * first-reading work such as the journey's site-entered events in their windows).
 */
export async function convoiMemory(template: string): Promise<{ memory: MemoryResult; warmDir: string }> {
  let warmDir = '';
  const started = performance.now();
  const { result, end } = await withConvoi(
    { label: 'memory-150k', template, idle: 0, warmUp: false },
    async (s) => {
      warmDir = s.dataDir;
      const heap = async () =>
        ((await s.platform.metrics()).get('convoi_process_nodejs_heap_size_used_bytes') ?? 0) / 2 ** 20;
      await new Promise((r) => setTimeout(r, 2000));
      const rssBefore = memoryMb(s.platform.pid).rssMb;
      const heapBefore = await heap();
      let heldBack = 0;
      for (const format of ['json', 'chirpstack'] as const) {
        const devices = everyDevice(format);
        const seconds = devices.length / MEMORY_RATE + 30;
        heldBack += (await s.load.run(format, devices, MEMORY_RATE, seconds, devices.length)).skipped;
      }
      const deadline = performance.now() + 60_000;
      let stored = await s.target.delivered();
      while (stored < FLEET_CONTAINERS - heldBack && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        stored = await s.target.delivered();
      }
      // Live state is written behind every second: let that and the batch buffers settle.
      await new Promise((r) => setTimeout(r, 3000));
      const rssAfter = memoryMb(s.platform.pid).rssMb;
      const heapAfter = await heap();
      return {
        containers: FLEET_CONTAINERS,
        readingsStored: stored,
        rssBeforeMb: Math.round(rssBefore),
        rssAfterMb: Math.round(rssAfter),
        heapBeforeMb: Math.round(heapBefore),
        heapAfterMb: Math.round(heapAfter),
        // Per container that reported (all of them unless the broker held messages back).
        rssPerContainerBytes: Math.round(((rssAfter - rssBefore) * 2 ** 20) / Math.max(1, stored)),
        heapPerContainerBytes: Math.round(((heapAfter - heapBefore) * 2 ** 20) / Math.max(1, stored)),
        heldBack,
      };
    },
  );
  const seconds = Math.round((performance.now() - started) / 1000);
  return { memory: { ...result, seconds, end }, warmDir };
}
