import type { RestLoadCommand, RestLoadReport } from '../load/rest-load.protocol.js';
import { BenchChild } from '../support/child-process.js';
import { FLEET_CONTAINERS, type BenchSettings } from './bench-settings.js';
import { withConvoi, type SessionEnd } from './convoi-session.js';
import { measureWindow, type WindowResult } from './measure.js';

export const REST_RATE = 1000;
export const REST_INGEST_RATE = 2500;

export interface RestResult {
  ingest: WindowResult;
  requestsPerS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  end: SessionEnd;
}

/**
 * REST latest-state under load: autocannon (in a process of its own, like the devices) at
 * 1,000 req/s on `GET /api/v1/containers/:id` (random container, admin key) while 2,500
 * readings/s arrive.
 */
export async function restUnderLoad(settings: BenchSettings, template: string): Promise<RestResult> {
  const clients = new BenchChild<RestLoadCommand, RestLoadReport>('load/rest-load.process.js');
  try {
    return await measureRest(settings, template, clients);
  } finally {
    await clients.stop();
  }
}

async function measureRest(
  settings: BenchSettings,
  template: string,
  clients: BenchChild<RestLoadCommand, RestLoadReport>,
): Promise<RestResult> {
  const { result, end } = await withConvoi(
    { label: 'rest-latest-state', template, extraProcesses: { 'rest clients': clients.pid } },
    async ({ target, load, platform }) => {
      const ingesting = measureWindow(
        target,
        load,
        'json',
        settings.jsonDevices,
        REST_INGEST_RATE,
        settings.restSeconds + 2,
      );
      // The REST load starts once ingestion runs and ends before it does.
      await new Promise((r) => setTimeout(r, 1000));
      const rest = await clients.request(
        {
          type: 'run',
          url: platform.httpUrl,
          apiKey: platform.adminKey,
          connections: 20,
          ratePerS: REST_RATE,
          seconds: settings.restSeconds,
          containers: FLEET_CONTAINERS,
        },
        'ran',
        (settings.restSeconds + 60) * 1000,
      );
      return {
        ingest: await ingesting,
        requestsPerS: rest.requestsPerS,
        latencyMs: rest.latencyMs,
        non2xx: rest.non2xx,
        errors: rest.errors,
      };
    },
  );
  return { ...result, end };
}
