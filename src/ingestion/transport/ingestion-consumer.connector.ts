import { Logger, type INestApplication } from '@nestjs/common';
import { MqttContext, ServerMqtt } from '@nestjs/microservices';
import { hostname } from 'node:os';
import { UNPOSITIONED } from '#src/contracts/log-position.js';
import { IngestionConsumer } from '../ingestion.consumer.js';
import type { IngestionConfig } from '../ingestion.config.js';
import { ConsumerStatus } from './consumer-status.js';
import { InboxDrain } from './inbox.drain.js';
import { RawPayloadDeserializer } from './raw-payload.deserializer.js';
import { sharedFilter } from './shared-filter.js';

/** The ingestion consumer's source of messages, started and stopped by bootstrap. */
export interface IngestionIntake {
  start(): Promise<void>;
  /** Stops intake and waits for what was handed over (the app's writers stop after). */
  stop(): Promise<void>;
}

/**
 * Connects the ingestion consumer to its source:
 * - embedded broker: the write-ahead inbox, drained in-process straight into the consumer
 *   (durable PUBACKs, no socket to ourselves, no microservice layer);
 * - external broker (MQTT_URL): Nest's MQTT transport with a persistent QoS 1 session,
 *   subscribed with shared subscriptions (`$share/<MQTT_SHARE_GROUP>/<filter>`) so that several
 *   convoi nodes share one broker's messages.
 */
export function connectIngestionConsumer(
  app: INestApplication,
  config: IngestionConfig,
  url: string,
): IngestionIntake {
  if (config.MQTT_URL === undefined && config.BROKER_EMBEDDED) {
    const drain = app.get(InboxDrain);
    return { start: () => Promise.resolve(drain.start()), stop: () => drain.close() };
  }
  const server = externalBrokerServer(app.get(IngestionConsumer), config, url);
  if (config.MQTT_SHARE_GROUP !== undefined)
    // A broker without shared subscriptions (Aedes among them) grants `$share/...` and then
    // delivers nothing to it: the one line that says why, should nothing arrive.
    new Logger('IngestionConsumer').log(
      { group: config.MQTT_SHARE_GROUP },
      'Consuming with shared subscriptions $share/<group>/<filter>; MQTT_SHARE_GROUP= (empty) for a broker without them',
    );
  const status = app.get(ConsumerStatus);
  server.status.subscribe((state) => status.set(state));
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  return {
    start: () => app.startAllMicroservices().then(() => undefined),
    // The transport only: closing the microservice itself runs the lifecycle hooks of the
    // container it shares with the app, and app.close() then ran them all a second time
    // (every writer flushed and stopped twice). app.close() closes the microservice too.
    stop: () => Promise.resolve(server.close()),
  };
}

/**
 * Nest's MQTT transport with one event handler per filter the consumer routes, each calling the
 * consumer with the message's topic and exact payload bytes.
 */
function externalBrokerServer(consumer: IngestionConsumer, config: IngestionConfig, url: string): ServerMqtt {
  const server = new ServerMqtt({
    url,
    clientId: config.MQTT_CLIENT_ID ?? `convoi-ingestion-${hostname()}-${process.pid}`,
    username: config.MQTT_USERNAME,
    password: config.MQTT_PASSWORD,
    // A persistent session: QoS 1 messages published while the consumer reconnects are kept.
    clean: false,
    reconnectPeriod: 1000,
    subscribeOptions: { qos: 1 },
    deserializer: new RawPayloadDeserializer(),
  });
  for (const route of consumer.routes) {
    const filter =
      config.MQTT_SHARE_GROUP === undefined
        ? route.filter
        : sharedFilter(config.MQTT_SHARE_GROUP, route.filter);
    // An external broker's messages have no position in a log convoi replays.
    const handler = (_data: unknown, context: MqttContext) =>
      Promise.resolve(consumer.consume(context.getTopic(), payloadOf(context), UNPOSITIONED));
    server.addHandler(filter, handler, true, { qos: 1 });
  }
  return server;
}

function payloadOf(context: MqttContext): Buffer {
  const payload = (context.getPacket() as { payload?: Buffer | string }).payload;
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload ?? '');
}
