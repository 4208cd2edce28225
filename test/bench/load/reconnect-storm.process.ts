// A fleet's devices reconnecting at once, as after a platform restart, in their own process.
// argv: <url> <credentials.json> ([[username, secret], …]). Every device connects at the same
// moment and, like a real device, tries again a second after a failed attempt (MQTT.js
// reconnect). Reports when all are connected: {connectedMs, attempts, latencies} over IPC.
import mqtt, { type MqttClient } from 'mqtt';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';

/** The broker bans an address opening too many connections a minute: spread over loopback. */
const PER_SOURCE_ADDRESS = 500;
const GIVE_UP_MS = 600_000;
const [url, credentialsFile] = process.argv.slice(2);
const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as [string, string][];
const { hostname, port } = new URL(url);
const clients: MqttClient[] = [];
const connectMs: number[] = [];
let attempts = 0;
const started = performance.now();

const all = credentials.map(
  ([username, password], i) =>
    new Promise<void>((resolve) => {
      const localAddress = `127.0.0.${2 + Math.floor(i / PER_SOURCE_ADDRESS)}`;
      const client = new mqtt.MqttClient(
        () => {
          attempts++;
          return createConnection({ host: hostname, port: Number(port), localAddress });
        },
        { clientId: username, username, password, reconnectPeriod: 1000, connectTimeout: 30_000 },
      );
      client.on('error', () => undefined);
      client.once('connect', () => {
        connectMs.push(performance.now() - started);
        resolve();
      });
      clients.push(client);
    }),
);
const timeout = setTimeout(() => {
  process.send?.({ type: 'gave-up', connected: connectMs.length, attempts });
}, GIVE_UP_MS);
await Promise.all(all);
clearTimeout(timeout);
connectMs.sort((a, b) => a - b);
const at = (q: number) =>
  Math.round(connectMs[Math.min(connectMs.length - 1, Math.floor(q * connectMs.length))]);
process.send?.({
  type: 'connected',
  connected: connectMs.length,
  attempts,
  allMs: at(1),
  p50Ms: at(0.5),
  p99Ms: at(0.99),
});
const stop = () => {
  for (const c of clients) c.end(true);
  process.exit(0);
};
process.on('message', stop);
process.on('disconnect', stop);
