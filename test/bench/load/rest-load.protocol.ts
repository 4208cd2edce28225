/** Bench → REST load process: one paced run of `GET /api/v1/containers/:id` on random containers. */
export interface RestLoadCommand {
  type: 'run';
  /**
   * `paced`: open loop, one request every 1/rate s, latency from when it was due
   * (paced-http.client.ts). `autocannon`: its paced mode (`overallRate`), bursty at each second.
   */
  client: 'paced' | 'autocannon';
  url: string;
  apiKey: string;
  connections: number;
  ratePerS: number;
  seconds: number;
  /** Containers are drawn from the first this many of the bench fleet. */
  containers: number;
}

/** REST load process → bench: what the client measured. */
export interface RestLoadReport {
  type: 'ran';
  requestsPerS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  /** The paced client's p99 per second of the run, ms (not measured with autocannon). */
  p99PerSecondMs?: number[];
}
