import { Injectable, Logger } from '@nestjs/common';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { Metrics } from '#src/common/metrics.js';
import { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { MqttAlertPublisher } from './mqtt-alert.publisher.js';
import { WebhookNotifier } from './webhook.notifier.js';

/**
 * Announces every alert change on each channel: MQTT `v1/containers/{id}/alerts`, the `alert`
 * measurement of the time-series store (Grafana annotations) and webhooks. One failing channel
 * never stops the others; each failure is counted and logged.
 */
@Injectable()
export class AlertNotifier {
  private readonly logger = new Logger(AlertNotifier.name);
  private readonly changes;
  private readonly failures;

  constructor(
    private readonly mqtt: MqttAlertPublisher,
    private readonly telemetry: TelemetryWriter,
    private readonly webhooks: WebhookNotifier,
    metrics: Metrics,
  ) {
    this.changes = metrics.counter('convoi_alert_changes_total', 'Alert changes, by change and severity', [
      'change',
      'severity',
    ]);
    this.failures = metrics.counter('convoi_alert_notify_failures_total', 'Alert notifications that failed', [
      'channel',
    ]);
  }

  notify(event: AlertEvent): void {
    this.changes.inc({ change: event.change, severity: event.severity });
    this.log(event);
    this.attempt('mqtt', () => this.mqtt.publish(event));
    this.attempt('telemetry', () => this.telemetry.writeAlert(event));
    this.attempt('webhook', () => this.webhooks.enqueue(event));
  }

  /** One line per alert change; `updated` (every reading of an active alert) at debug only. */
  private log(event: AlertEvent): void {
    const level = event.change === 'updated' ? 'debug' : 'log';
    if (!Logger.isLevelEnabled(level)) return;
    const { alertId, change, containerId, shipmentId, deviceId, rule, severity, by } = event;
    this.logger[level](
      { alertId, change, containerId, shipmentId, deviceId, rule, severity, by },
      `Alert ${change}: ${event.message}`,
    );
  }

  private attempt(channel: string, send: () => void): void {
    try {
      send();
    } catch (err) {
      this.failures.inc({ channel });
      this.logger.error({ channel, err }, 'Alert notification failed');
    }
  }
}
