import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import mqtt, { type MqttClient } from 'mqtt';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { containerAlertsTopic } from '#src/contracts/topics.js';
import { AlertBrokerConfig } from '../alerts.config.js';
import { BrokerService } from '#src/broker/broker.service.js';

/**
 * Publishes alert events on `v1/containers/{containerId}/alerts`, QoS 1. In-process into the
 * embedded broker when there is one (no socket, no credential); otherwise through an MQTT client
 * on the external broker, connected on first use.
 */
@Injectable()
export class MqttAlertPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(MqttAlertPublisher.name);
  private client?: MqttClient;

  constructor(
    private readonly broker: BrokerService,
    private readonly config: AlertBrokerConfig,
  ) {}

  publish(event: AlertEvent): void {
    const topic = containerAlertsTopic(event.containerId);
    const payload = Buffer.from(JSON.stringify(event));
    if (this.broker.publish({ topic, payload, qos: 1, retain: false })) return;
    if (this.config.MQTT_URL === undefined) return; // no broker at all (shutting down)
    this.client ??= mqtt.connect(this.config.MQTT_URL, {
      clientId: `convoi-alerts-${process.pid}`,
      username: this.config.MQTT_USERNAME,
      password: this.config.MQTT_PASSWORD,
    });
    this.client.publish(topic, payload, { qos: 1 }, (err) => {
      if (err)
        this.logger.error(
          { alertId: event.alertId, topic, reason: err.message },
          'Publishing an alert failed',
        );
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.endAsync();
  }
}
