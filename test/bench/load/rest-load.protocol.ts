/** Bench → REST load process: one paced run of `GET /api/v1/containers/:id` on random containers. */
export interface RestLoadCommand {
  type: 'run';
  url: string;
  apiKey: string;
  connections: number;
  ratePerS: number;
  seconds: number;
  /** Containers are drawn from the first this many of the bench fleet. */
  containers: number;
}

/** REST load process → bench: what autocannon measured. */
export interface RestLoadReport {
  type: 'ran';
  requestsPerS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
}
