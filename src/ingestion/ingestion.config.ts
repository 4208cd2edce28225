import { ConfigSlice } from '#src/config/config-slice.js';

/** The settings ingestion reads: dedupe, the rejections log, and the broker its consumer connects to. */
export class IngestionConfig extends ConfigSlice(
  'DEDUPE_WINDOW_MS',
  'FCNT_LATE_WINDOW',
  'REJECTIONS_LOG_SIZE',
  'BROKER_EMBEDDED',
  'MQTT_URL',
  'MQTT_USERNAME',
  'MQTT_PASSWORD',
  'MQTT_SHARE_GROUP',
  'MQTT_CLIENT_ID',
) {}
