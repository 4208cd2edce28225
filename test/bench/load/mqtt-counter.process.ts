// A counting subscriber over MQTT (the raw Mosquitto baseline): QoS 1 on the device telemetry
// filter, in its own process. argv: <url>. Says {type:'ready'} once subscribed.
import mqtt from 'mqtt';
import { TOPIC_FILTERS } from '#src/contracts/topics.js';
import { DeliveryCounter } from './delivery-counter.js';

const [url] = process.argv.slice(2);
const counter = new DeliveryCounter();
const client = await mqtt.connectAsync(url, { clientId: 'bench-counter', reconnectPeriod: 0, clean: true });
client.on('message', (_topic, payload) => counter.onMessage(payload));
await client.subscribeAsync(TOPIC_FILTERS.deviceTelemetry, { qos: 1 });
counter.serve(() => {
  client.end(true);
  process.exit(0);
});
process.send?.({ type: 'ready' });
