import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { Transport, type MqttOptions } from '@nestjs/microservices';
import type { IngestionConfig } from '../ingestion.config.js';
import { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { IngestInbox } from '../inbox/ingest-inbox.js';
import { ConsumerStatus, type ConsumerState } from './consumer-status.js';
import { InboxTransport } from './inbox.transport.js';
import { RawPayloadDeserializer } from './raw-payload.deserializer.js';

/**
 * Connects the ingestion consumer (the `@EventPattern` handlers) to its source:
 * - embedded broker: the write-ahead inbox, in-process (durable PUBACKs, no socket to ourselves);
 * - external broker (MQTT_URL): Nest's MQTT transport with a persistent QoS 1 session.
 */
export function connectIngestionConsumer(
  app: INestApplication,
  config: IngestionConfig,
  url: string,
): INestMicroservice {
  const status = app.get(ConsumerStatus);
  if (config.MQTT_URL === undefined && config.BROKER_EMBEDDED) {
    const strategy = new InboxTransport(app.get(IngestInbox), app.get(TelemetryWriter), status);
    return app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  }
  const options: MqttOptions = {
    transport: Transport.MQTT,
    options: {
      url,
      clientId: `convoi-ingestion-${process.pid}`,
      username: config.MQTT_USERNAME,
      password: config.MQTT_PASSWORD,
      // A persistent session: QoS 1 messages published while the consumer reconnects are kept.
      clean: false,
      reconnectPeriod: 1000,
      subscribeOptions: { qos: 1 },
      deserializer: new RawPayloadDeserializer(),
    },
  };
  const microservice = app.connectMicroservice<MqttOptions>(options, { inheritAppConfig: true });
  microservice.status.subscribe((state) => status.set(state as ConsumerState));
  return microservice;
}
