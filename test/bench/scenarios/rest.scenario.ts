import autocannon from 'autocannon';
import { containerId } from '../support/bench-fleet.js';
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
 * REST latest-state under load: autocannon (in the bench process) at 1,000 req/s on
 * `GET /api/v1/containers/:id` (random container, admin key) while 2,500 readings/s arrive.
 */
export async function restUnderLoad(settings: BenchSettings, template: string): Promise<RestResult> {
  const { result, end } = await withConvoi(
    { label: 'rest-latest-state', template },
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
      const rest = await autocannon({
        url: platform.httpUrl,
        connections: 20,
        duration: settings.restSeconds,
        overallRate: REST_RATE,
        headers: { authorization: `Bearer ${platform.adminKey}` },
        requests: [
          {
            setupRequest: (req) => ({
              ...req,
              method: 'GET',
              path: `/api/v1/containers/${containerId(Math.floor(Math.random() * FLEET_CONTAINERS))}`,
            }),
          },
        ],
      });
      return {
        ingest: await ingesting,
        requestsPerS: Math.round(rest.requests.average),
        latencyMs: {
          p50: rest.latency.p50,
          p90: rest.latency.p90,
          p99: rest.latency.p99,
          max: rest.latency.max,
        },
        non2xx: rest.non2xx,
        errors: rest.errors + rest.timeouts,
      };
    },
  );
  return { ...result, end };
}
