/** One administrative or planner action, as recorded. Never a key, a secret or a request body. */
export interface AuditEntry {
  id: number;
  /** When the request completed, ISO-8601 UTC. */
  at: string;
  /** Name of the API key that made the request (never the key). */
  actor: string;
  /** What was done, e.g. `shipment.create`, `alert.acknowledge`, `key.revoke`. */
  action: string;
  method: string;
  /** Request path, without the query string. */
  path: string;
  /** Id of the resource acted on (route id, or the id of the created resource). */
  target?: string;
  /** HTTP status of the outcome (2xx done, 4xx refused, 5xx failed). */
  status: number;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'> & { atMs: number };

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
}
