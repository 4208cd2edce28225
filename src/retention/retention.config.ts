import { ConfigSlice } from '#src/config/config-slice.js';

/** The settings retention reads: days kept per kind of data, the purge's pace, and the InfluxDB it checks the retention of. */
export class RetentionConfig extends ConfigSlice(
  'RETENTION_READINGS_DAYS',
  'RETENTION_ALERTS_DAYS',
  'RETENTION_SHIPMENTS_DAYS',
  'RETENTION_AUDIT_DAYS',
  'RETENTION_WEBHOOK_DELIVERIES_DAYS',
  'RETENTION_DEAD_LETTERS_DAYS',
  'RETENTION_PURGE_INTERVAL_MS',
  'RETENTION_BATCH_SIZE',
  'INFLUX_URL',
  'INFLUX_TOKEN',
  'INFLUX_BUCKET',
  'INFLUX_TIMEOUT_MS',
) {}
