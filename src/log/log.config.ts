import { ConfigSlice } from '#src/config/config-slice.js';

/** The cluster input log's settings (NATS JetStream) and the partition count its subjects use. */
export class LogConfig extends ConfigSlice(
  'NATS_URL',
  'NATS_STREAM',
  'NATS_REPLICAS',
  'NATS_MAX_AGE_HOURS',
  'NATS_MAX_MB',
  'NATS_APPEND_WINDOW',
  'NATS_APPEND_TIMEOUT_MS',
  'PARTITIONS',
) {}
