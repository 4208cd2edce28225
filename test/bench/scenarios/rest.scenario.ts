import type { RestLoadCommand, RestLoadReport } from '../load/rest-load.protocol.js';
import { BenchChild } from '../support/child-process.js';
import { FLEET_CONTAINERS, type BenchSettings } from './bench-settings.js';
import { withConvoi, type SessionEnd, type SessionOptions } from './convoi-session.js';
import { measureWindow, type WindowResult } from './measure.js';
import { stepWindowSeconds, warmUp } from './steady-state.js';

export const REST_RATE = 1000;
export const REST_INGEST_RATE = 2500;

export interface RestResult {
  /** Ingestion alone before the REST load, until the first state checkpoint after start was through. */
  ingestWarmUp: WindowResult[];
  ingest: WindowResult;
  /** The measured window, s: a whole number of the store's checkpoint intervals (steady-state.ts). */
  seconds: number;
  requestsPerS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  /** The window's p99 per second, ms: whether its tail is a few seconds (a checkpoint's) or all of them. */
  p99PerSecondMs: number[];
  /** The same load in the seconds before the window: a fresh process (cold JIT, cold caches). */
  warmup: { seconds: number; latencyMs: { p50: number; p99: number; max: number }; non2xx: number };
  /** autocannon's paced mode after the window, as earlier runs measured (bursty: see below). */
  autocannon: { seconds: number; requestsPerS: number; latencyMs: { p50: number; p99: number; max: number } };
  end: SessionEnd;
}

/**
 * REST latest-state under load: 1,000 req/s on `GET /api/v1/containers/:id` (random container,
 * admin key) over 20 connections, from a process of its own like the devices, while 2,500
 * readings/s arrive. The window is measured by an open-loop paced client (one request every
 * 1 ms, latency from when it was due); it follows a few seconds of the same load, reported apart,
 * because the platform starts fresh for the scenario and a server in service is warm. Then
 * autocannon's paced mode runs for comparison with earlier runs: it sends each second's
 * requests in bursts of 20 back-to-back, and against a server answering in a fixed 0.2 ms it
 * measures p99 9–10 ms by itself (`rest-client-floor.bench.ts`), the target's whole budget.
 */
export async function restUnderLoad(
  settings: BenchSettings,
  template: string,
  store: RestStore = {},
): Promise<RestResult> {
  const clients = new BenchChild<RestLoadCommand, RestLoadReport>('load/rest-load.process.js');
  try {
    return await measureRest(settings, template, clients, store);
  } finally {
    await clients.stop();
  }
}

/** Where the run's operational store is, when not the fleet's SQLite file (postgres.scenario.ts). */
export interface RestStore {
  label?: string;
  env?: Record<string, string>;
  extraProcesses?: Record<string, number>;
  /** How the readings stored are counted, when not in the SQLite file. */
  probe?: SessionOptions['probe'];
}

async function measureRest(
  settings: BenchSettings,
  template: string,
  clients: BenchChild<RestLoadCommand, RestLoadReport>,
  store: RestStore,
): Promise<RestResult> {
  const { result, end } = await withConvoi(
    {
      label: store.label ?? 'rest-latest-state',
      template,
      env: store.env,
      extraProcesses: { 'rest clients': clients.pid, ...store.extraProcesses },
      probe: store.probe,
    },
    async ({ target, load, platform }) => {
      // The first checkpoint after start (on PostgreSQL the one that writes every page) is not
      // the steady state either store serves reads in: the REST load starts after it.
      const ingestWarmUp = await warmUp(target, load, settings.jsonDevices, REST_INGEST_RATE, 0);
      const restSeconds = stepWindowSeconds(settings.restSeconds, target.checkpointEveryMs);
      const ingesting = measureWindow(
        target,
        load,
        'json',
        settings.jsonDevices,
        REST_INGEST_RATE,
        settings.restWarmupSeconds + restSeconds + settings.restAutocannonSeconds + 4,
      );
      // The REST load starts once ingestion runs and ends before it does.
      await new Promise((r) => setTimeout(r, 1000));
      const run = (client: 'paced' | 'autocannon', seconds: number) =>
        clients.request(
          {
            type: 'run',
            client,
            url: platform.httpUrl,
            apiKey: platform.adminKey,
            connections: 20,
            ratePerS: REST_RATE,
            seconds,
            containers: FLEET_CONTAINERS,
          },
          'ran',
          (seconds + 60) * 1000,
        );
      const warmup = await run('paced', settings.restWarmupSeconds);
      const rest = await run('paced', restSeconds);
      const cannon = await run('autocannon', settings.restAutocannonSeconds);
      return {
        ingestWarmUp,
        ingest: await ingesting,
        seconds: restSeconds,
        requestsPerS: rest.requestsPerS,
        latencyMs: rest.latencyMs,
        non2xx: rest.non2xx,
        errors: rest.errors,
        p99PerSecondMs: rest.p99PerSecondMs ?? [],
        warmup: {
          seconds: settings.restWarmupSeconds,
          latencyMs: { p50: warmup.latencyMs.p50, p99: warmup.latencyMs.p99, max: warmup.latencyMs.max },
          non2xx: warmup.non2xx,
        },
        autocannon: {
          seconds: settings.restAutocannonSeconds,
          requestsPerS: cannon.requestsPerS,
          latencyMs: { p50: cannon.latencyMs.p50, p99: cannon.latencyMs.p99, max: cannon.latencyMs.max },
        },
      };
    },
  );
  return { ...result, end };
}
