import { ConfigSlice, from } from '#src/config/config-slice.js';
import { DeploymentSettings } from '#src/config/deployment.config.js';
import { EnvInt, EnvOptionalString } from '#src/config/env-transforms.js';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/**
 * Ingestion's settings: dedupe, the rejections log, and how its consumer joins an external broker.
 */
export class IngestionSettings {
  /**
   * External broker only: the consumer subscribes with the MQTT shared subscription
   * `$share/<group>/<filter>`, so that the convoi nodes of one group share the messages (each
   * goes to one of them). Empty: a plain subscription (one node per broker). A share name holds
   * no `/`, `+` or `#` [MQTT-4.8.2-2].
   */
  @EnvOptionalString()
  @IsOptional()
  @Matches(/^[^/+#]+$/, { message: 'MQTT_SHARE_GROUP must not contain /, + or #' })
  MQTT_SHARE_GROUP?: string = 'convoi';

  /**
   * External broker only: the consumer's MQTT client id, the key of its persistent session (the
   * messages queued while it reconnects). Default `convoi-ingestion-<hostname>-<pid>`; set a
   * stable one per node to keep the session across restarts.
   */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  MQTT_CLIENT_ID?: string;

  /**
   * How long an uplink's idempotency key is remembered, ms: repeats within it (several gateways,
   * QoS 1 redelivery, replays) are dropped before storage and rules.
   */
  @EnvInt()
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  DEDUPE_WINDOW_MS = 600_000;

  /** How many LoRaWAN frame counters back an uplink still counts as late (1…32), not stale. */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(32)
  FCNT_LATE_WINDOW = 32;

  /** How many recent rejections are kept for field technicians (in memory, per process). */
  @EnvInt()
  @IsInt()
  @Min(10)
  @Max(1_000_000)
  REJECTIONS_LOG_SIZE = 1000;
}

/** What ingestion reads: its own settings, and the broker its consumer connects to. */
export class IngestionConfig extends ConfigSlice(
  from(IngestionSettings),
  from(DeploymentSettings, 'BROKER_EMBEDDED', 'MQTT_URL', 'MQTT_USERNAME', 'MQTT_PASSWORD'),
) {}
