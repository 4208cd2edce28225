// HOSTILE-INPUTS A17: a few thousand malformed packets from fast-check through real sockets.
// The broker must not crash, must release every socket, keep memory bounded, and keep serving
// a well-behaved device afterwards.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { connectAsync } from 'mqtt';
import { GuardedConnection } from '#src/broker/hardening/guarded-connection.js';
import { startHardenedBroker, type HardenedBroker } from '#test/support/hardened-broker.js';
import { RawMqttConnection, waitFor } from '#test/support/mqtt-raw.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const WORKERS = 25;

/** Valid packets a device might send, as mutation seeds. */
const seedPackets = fc.oneof(
  fc
    .record({
      topic: fc.constantFrom('v1/devices/fuzz/telemetry', 'a/b', 'application/1/device/x/event/up'),
      payload: fc.uint8Array({ maxLength: 64 }),
      qos: fc.constantFrom(0 as const, 1 as const, 2 as const),
      messageId: fc.integer({ min: 1, max: 65535 }),
    })
    .map((p) =>
      mqttPacket.generate({
        cmd: 'publish',
        ...p,
        payload: Buffer.from(p.payload),
        dup: false,
        retain: false,
      }),
    ),
  fc
    .record({
      topic: fc.constantFrom('#', 'a/+/c', '$SYS/#', 'v1/devices/x/status'),
      messageId: fc.integer({ min: 1, max: 65535 }),
    })
    .map(({ topic, messageId }) =>
      mqttPacket.generate({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos: 1 }] }),
    ),
  fc
    .integer({ min: 1, max: 65535 })
    .map((messageId) => mqttPacket.generate({ cmd: 'unsubscribe', messageId, unsubscriptions: ['a/b'] })),
  fc.constantFrom(
    mqttPacket.generate({ cmd: 'pingreq' }),
    mqttPacket.generate({ cmd: 'puback', messageId: 7 }),
    mqttPacket.generate({ cmd: 'pubrel', messageId: 7 }),
    mqttPacket.generate({ cmd: 'disconnect' }),
  ),
);

/** A seed packet with a few bytes overwritten, cut short or padded. */
const mutated = fc
  .tuple(
    seedPackets,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    fc.nat(),
    fc.boolean(),
  )
  .map(([seed, edits, cut, truncate]) => {
    const bytes = Buffer.from(seed);
    for (const [position, value] of edits) bytes[position % bytes.length] = value;
    return truncate ? bytes.subarray(0, 1 + (cut % bytes.length)) : bytes;
  });

interface FuzzCase {
  /** Send a valid CONNECT first (else the fuzz bytes are the first packet). */
  connectFirst: boolean;
  bytes: Uint8Array;
}

const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  connectFirst: fc.boolean(),
  bytes: fc.oneof(
    mutated,
    fc.uint8Array({ minLength: 1, maxLength: 256 }),
    fc.array(mutated, { minLength: 2, maxLength: 5 }).map((parts) => Buffer.concat(parts)),
  ),
});

void describe(`${GuardedConnection.name} under fuzzing`, () => {
  let edge: HardenedBroker;
  const secrets: string[] = [];

  before(async () => {
    edge = await startHardenedBroker({
      limits: { connectionsPerIpPerMin: 1_000_000, authFailuresPerIpPerMin: 1_000_000 },
    });
    for (let i = 0; i < WORKERS; i++) secrets.push(await edge.store.issue(`fuzz-${i}`));
    secrets.push(await edge.store.issue('good-device'));
  });
  after(() => edge.close());

  void it(
    `survives ${RUNS} malformed packets and keeps serving a well-behaved device`,
    { timeout: 60_000 },
    async (t) => {
      const cases = fc.sample(fuzzCase, { numRuns: RUNS, seed: 20261122 });
      const rssBefore = process.memoryUsage().rss;
      let closedByBroker = 0;
      let next = 0;
      const worker = async (index: number) => {
        const credential = { clientId: `fuzz-${index}`, username: `fuzz-${index}`, password: secrets[index] };
        while (next < cases.length) {
          const fuzz = cases[next++];
          const connection = fuzz.connectFirst
            ? await RawMqttConnection.connected(edge.port, credential)
            : await RawMqttConnection.open(edge.port);
          await connection.write(Buffer.from(fuzz.bytes));
          // Most malformed input is cut at once; give the broker a moment, then hang up ourselves.
          if (await connection.waitForClose(30)) closedByBroker++;
          connection.destroy();
        }
      };
      await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));

      assert.equal(
        await waitFor(() => edge.handler.openConnections === 0, 5000),
        true,
        'every socket released',
      );
      const growthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
      t.diagnostic(
        `${closedByBroker}/${RUNS} fuzz connections closed by the broker; RSS growth ${growthMb.toFixed(1)} MiB`,
      );
      // Truncated frames legitimately wait for their remaining bytes (until the connect timeout).
      assert.ok(closedByBroker > RUNS / 4, 'most malformed input is refused at once');
      assert.ok(growthMb < 100, `RSS grew ${growthMb.toFixed(1)} MiB`);

      const subscriber = await connectAsync(edge.url, {
        clientId: 'fuzz-watch',
        username: edge.platform.username,
        password: edge.platform.password,
        reconnectPeriod: 0,
      });
      const received: string[] = [];
      subscriber.on('message', (_topic, payload) => received.push(payload.toString()));
      await subscriber.subscribeAsync('v1/devices/good-device/telemetry', { qos: 1 });
      const device = await connectAsync(edge.url, {
        clientId: 'good-device',
        username: 'good-device',
        password: secrets[WORKERS],
        reconnectPeriod: 0,
      });
      await device.publishAsync('v1/devices/good-device/telemetry', '{"ts":1,"temperature":2}', { qos: 1 });
      assert.equal(await waitFor(() => received.length === 1), true, 'reading delivered after the fuzzing');
      await device.endAsync();
      await subscriber.endAsync();
    },
  );
});
