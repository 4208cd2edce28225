import { Agent, request } from 'node:http';
import { LatencyHistogram } from '../support/latency-histogram.js';

export interface PacedRun {
  url: string;
  headers: Record<string, string>;
  /** The path of the i-th request. */
  path: (i: number) => string;
  ratePerS: number;
  seconds: number;
  /** Keep-alive connections; a request due while all are busy waits for one (and that counts). */
  connections: number;
}

export interface PacedResult {
  requestsPerS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  /**
   * p99 of the requests due in each second of the run, ms: a tail made of a few stalled seconds
   * (a checkpoint's, a collection's) shows apart from a slow run throughout.
   */
  p99PerSecondMs: number[];
}

/** Longest a run waits for its last responses after the last request is due, ms. */
const DRAIN_MS = 10_000;

/**
 * An open-loop HTTP load at a fixed rate, as wrk2 makes it: request i is due at start + i/rate,
 * whatever happened before, and its latency runs from when it was due to the end of its response.
 * A stalled server therefore shows as the latency of every request that had to wait, not as one
 * slow response (which is how a closed loop, and autocannon's paced mode, hides it); and the load
 * is evenly spread, not sent in bursts.
 */
export async function pacedGet(run: PacedRun): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: run.connections });
  const target = new URL(run.url);
  const histogram = new LatencyHistogram();
  const perSecond = Array.from({ length: Math.ceil(run.seconds) }, () => new LatencyHistogram());
  const total = Math.round(run.ratePerS * run.seconds);
  const intervalMs = 1000 / run.ratePerS;
  let non2xx = 0;
  let errors = 0;
  let finished = 0;
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const settle = () => {
    if (++finished === total) allDone();
  };

  const send = (i: number, dueAt: number) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: run.path(i),
        method: 'GET',
        headers: run.headers,
      },
      (res) => {
        res.resume();
        res.once('end', () => {
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) non2xx++;
          else {
            const ms = performance.now() - dueAt;
            histogram.record(ms);
            perSecond[Math.min(perSecond.length - 1, Math.floor((dueAt - start) / 1000))].record(ms);
          }
          settle();
        });
      },
    );
    req.once('error', () => {
      errors++;
      settle();
    });
    req.end();
  };

  const start = performance.now() + 5;
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) {
        send(next, start + next * intervalMs);
        next++;
      }
      if (next < total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, 5);
  });
  const sentMs = performance.now() - start;
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, DRAIN_MS))]);
  agent.destroy();
  const completed = histogram.count;
  return {
    requestsPerS: Math.round(completed / (sentMs / 1000)),
    latencyMs: {
      p50: histogram.percentile(50),
      p90: histogram.percentile(90),
      p99: histogram.percentile(99),
      max: Math.round(histogram.max * 10) / 10,
    },
    non2xx,
    errors: errors + (total - finished),
    p99PerSecondMs: perSecond.map((second) => second.percentile(99)),
  };
}
