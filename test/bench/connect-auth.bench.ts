// The cost of authenticating an MQTT CONNECT against the credential store: the store's verify
// alone (µs per call) and whole connects of MQTT.js clients to the hardened broker (connects/s),
// each a bounded loop (count and time), on SQLite or a real PostgreSQL (started for the run).
// Run: node dist/test/bench/connect-auth.bench.js [devices=200] [sqlite|postgres]
import { connectAsync } from 'mqtt';
import { startHardenedBroker } from '#test/support/hardened-broker.js';
import { startPostgres } from '#test/support/postgres.js';

const DEVICES = Number(process.argv[2] ?? 200);
const postgres = process.argv[3] === 'postgres' ? await startPostgres() : undefined;
/** Rounds over every device: the first connect of each reads the store, later ones may not. */
const ROUNDS = 5;
/** Longest either loop may run, ms. */
const BUDGET_MS = 60_000;

const edge = await startHardenedBroker({
  limits: { connectionsPerIpPerMin: 1_000_000 },
  databaseUrl: await postgres?.createDatabase(),
});
try {
  const secrets: [string, string][] = [];
  for (let i = 0; i < DEVICES; i++) secrets.push([`BENCH-${i}`, await edge.store.issue(`BENCH-${i}`)]);

  const deadline = performance.now() + BUDGET_MS;
  // Round 1 reads the store (cold); later rounds may answer from memory (warm).
  const roundUs: number[] = [];
  for (let round = 0; round < ROUNDS && performance.now() < deadline; round++) {
    const started = performance.now();
    for (const [id, secret] of secrets) {
      if ((await edge.store.verify(id, Buffer.from(secret))) === undefined) throw new Error(`${id} refused`);
    }
    roundUs.push(((performance.now() - started) * 1000) / secrets.length);
  }
  const warm = roundUs.slice(1);
  // Misses once warmed up: usernames nobody verified yet (unknown ones), each read from the store.
  const missStarted = performance.now();
  for (let i = 0; i < DEVICES; i++) await edge.store.verify(`UNKNOWN-${i}`, Buffer.from('x'));
  const missUs = ((performance.now() - missStarted) * 1000) / DEVICES;

  let connected = 0;
  const connectStarted = performance.now();
  for (let round = 0; round < ROUNDS && performance.now() < deadline; round++) {
    for (const [id, secret] of secrets) {
      const client = await connectAsync(edge.url, {
        clientId: id,
        username: id,
        password: secret,
        reconnectPeriod: 0,
        connectTimeout: 5000,
      });
      await client.endAsync();
      connected++;
    }
  }
  const connectsPerS = connected / ((performance.now() - connectStarted) / 1000);
  console.log(
    JSON.stringify({
      store: postgres === undefined ? 'sqlite' : 'postgres',
      devices: DEVICES,
      rounds: roundUs.length,
      verifyColdUs: Math.round(roundUs[0] * 10) / 10,
      verifyMissUs: Math.round(missUs * 10) / 10,
      verifyWarmUs: Math.round((warm.reduce((a, b) => a + b, 0) / warm.length) * 10) / 10,
      connected,
      connectsPerS: Math.round(connectsPerS),
    }),
  );
} finally {
  await edge.close();
  await postgres?.stop();
}
