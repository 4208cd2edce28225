// The raw baseline: a bare Aedes 1.2 (no auth, no hardening) on a loopback port with a counting
// subscriber inside its process (`aedes.subscribe`), the cheapest consumer Aedes has. Nagle off,
// as convoi's broker. Says {type:'ready', port} once listening.
import { Aedes } from 'aedes';
import { createServer, type AddressInfo } from 'node:net';
import { TOPIC_FILTERS } from '#src/contracts/topics.js';
import { DeliveryCounter } from './delivery-counter.js';

const counter = new DeliveryCounter();
const broker = await Aedes.createBroker();
broker.subscribe(
  TOPIC_FILTERS.deviceTelemetry,
  (packet, done) => {
    counter.onMessage(Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
    done();
  },
  () => undefined,
);
const server = createServer({ noDelay: true }, (socket) => broker.handle(socket));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
counter.serve(() => {
  server.close();
  broker.close(() => process.exit(0));
});
process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
