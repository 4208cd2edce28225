/**
 * The names of the singleton jobs' leases (ARCHITECTURE.md §9): every node must ask for a job's
 * lease by the same name, since the name is the lock's key (`singletonKey`).
 */
export const SINGLETON_JOBS = {
  /** The purge of retention in the shared store (PostgreSQL): rows, and the time series' old days. */
  retentionPurge: 'retention-purge',
  /** The webhook delivery queue in PostgreSQL: one node sends every node's alert changes. */
  webhookDelivery: 'webhook-delivery',
  /** The InfluxDB outbox in PostgreSQL: one node replays every node's failed batches. */
  influxOutboxReplay: 'influx-outbox-replay',
} as const;
