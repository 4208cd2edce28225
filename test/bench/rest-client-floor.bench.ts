// What the REST scenario's load clients measure against a server that is never the problem
// (fixed 0.2 ms per response, its own process, nothing else running): each client's floor.
// autocannon's paced mode (`overallRate`) lets each connection send back to back until it has
// made its share of the second, then waits for the next second: 1,000 req/s arrive as bursts of
// 20 concurrent requests, and its coordinated-omission correction assumes 1 ms between requests.
// The paced client (paced-http.client.ts) sends one request every 1 ms, latency from when due.
// Run: node dist/test/bench/rest-client-floor.bench.js  (writes docs/bench/rest-client-floor.json)
import autocannon from 'autocannon';
import { mkdirSync, writeFileSync } from 'node:fs';
import { pacedGet } from './load/paced-http.client.js';
import { BenchChild } from './support/child-process.js';

const RATE = 1000;
const CONNECTIONS = 20;
const SECONDS = 10;

const server = new BenchChild<never, { type: 'listening'; port: number }>('load/fixed-cost-http.process.js');
const { port } = await server.next('listening');
const url = `http://127.0.0.1:${port}`;
const paced = await pacedGet({
  url,
  headers: {},
  path: () => '/',
  ratePerS: RATE,
  seconds: SECONDS,
  connections: CONNECTIONS,
});
const cannon = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, overallRate: RATE });
await server.stop();
const result = {
  server: 'fixed 0.2 ms of CPU per response, own process',
  ratePerS: RATE,
  connections: CONNECTIONS,
  seconds: SECONDS,
  paced: paced.latencyMs,
  autocannonOverallRate: {
    p50: cannon.latency.p50,
    p90: cannon.latency.p90,
    p99: cannon.latency.p99,
    max: cannon.latency.max,
  },
  measuredAt: new Date().toISOString(),
};
console.log(JSON.stringify(result));
mkdirSync('docs/bench', { recursive: true });
writeFileSync('docs/bench/rest-client-floor.json', `${JSON.stringify(result, null, 2)}\n`);
