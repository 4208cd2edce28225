// Idle MQTT connections in their own process: what a fleet of quiet devices costs the broker.
// argv: <url> <count>. Reports {connected, failed} over IPC, holds them until told to exit.
// convoi's broker bans an address opening more than 600 connections a minute (a fixed limit of
// its hardened edge), so the connections come from several loopback source addresses
// (127.0.0.2, 127.0.0.3…, all on this machine's `lo`), at most 500 per address.
import mqtt, { type MqttClient } from 'mqtt';
import { createConnection } from 'node:net';

const PER_SOURCE_ADDRESS = 500;
const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const { hostname, port } = new URL(url);
const clients: MqttClient[] = [];

function open(i: number): Promise<MqttClient | undefined> {
  const localAddress = `127.0.0.${2 + Math.floor(i / PER_SOURCE_ADDRESS)}`;
  const client = new mqtt.MqttClient(
    () => createConnection({ host: hostname, port: Number(port), localAddress }),
    {
      clientId: `bench-idle-${i}`,
      reconnectPeriod: 0,
      keepalive: 60,
      protocolVersion: 4,
    },
  );
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.end(true);
      resolve(undefined);
    }, 10_000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve(client.on('error', () => undefined));
    });
    client.once('error', () => undefined);
    client.once('close', () => {
      if (!client.connected) {
        clearTimeout(timer);
        resolve(undefined);
      }
    });
  });
}

// In waves of 100 so the broker's accept queue is not the thing measured.
for (let i = 0; i < count; i += 100) {
  const wave = await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, k) => open(i + k)));
  for (const c of wave) if (c) clients.push(c);
}
process.send?.({ type: 'connected', clients: clients.length, failed: count - clients.length });
const stop = () => {
  for (const c of clients) c.end(true);
  process.exit(0);
};
process.on('message', stop);
process.on('disconnect', stop);
