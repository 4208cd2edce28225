import { ConfigSlice, from } from '#src/config/config-slice.js';
import { DeploymentSettings } from '#src/config/deployment.config.js';
import { EnvInt, EnvOptionalString } from '#src/config/env-transforms.js';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { Secret } from '#src/config/settings.js';

/**
 * Where alert changes are sent by webhook, how they are signed, and how often retried.
 */
export class AlertWebhookSettings {
  /** Webhook URLs that receive every alert change (comma-separated; empty for none). */
  @Matches(/^(https?:\/\/[^\s,]+)?(,https?:\/\/[^\s,]+)*$/, {
    message: 'ALERT_WEBHOOK_URLS must be a comma-separated list of http(s) URLs',
  })
  ALERT_WEBHOOK_URLS = '';

  /** HMAC-SHA256 key signing webhook bodies (header X-Convoi-Signature; never logged). */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  @MinLength(16)
  @Secret()
  ALERT_WEBHOOK_SECRET?: string;

  /** Delivery attempts per webhook call before it is given up (backoff doubles, up to 1 h). */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(30)
  ALERT_WEBHOOK_MAX_ATTEMPTS = 10;
}

/** What the webhook notifier and its queue read. */
export class AlertWebhookConfig extends ConfigSlice(from(AlertWebhookSettings)) {}

/** What the MQTT alert publisher reads: the external broker, when there is one. */
export class AlertBrokerConfig extends ConfigSlice(
  from(DeploymentSettings, 'MQTT_URL', 'MQTT_USERNAME', 'MQTT_PASSWORD'),
) {}
