// Resource limits of the hardened edge (HOSTILE-INPUTS B1–B3, B7–B9, A16, D7) on real sockets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectAsync } from 'mqtt';
import { createHardenedConnectionHandler } from '#src/broker/hardening/hardened-connection.handler.js';
import { startHardenedBroker, type HardenedBroker } from '#test/support/hardened-broker.js';
import {
  connectPacket,
  field,
  publishPacket,
  RawMqttConnection,
  subscribePacket,
  varint,
  waitFor,
} from '#test/support/mqtt-raw.js';

async function withBroker(
  options: Parameters<typeof startHardenedBroker>[0],
  body: (edge: HardenedBroker, secret: string) => Promise<void>,
): Promise<void> {
  const edge = await startHardenedBroker(options);
  try {
    await body(edge, await edge.store.issue('dev-1'));
  } finally {
    await edge.close();
  }
}

const device = (secret: string) => ({ clientId: 'dev-1', username: 'dev-1', password: secret });

/** Declares a 200 MiB PUBLISH and streams up to `streamBytes` of it (anonymous broker). */
async function oversizedPublish(
  port: number,
  clientId: string,
  streamBytes: number,
): Promise<RawMqttConnection> {
  const connection = await RawMqttConnection.connected(port, { clientId });
  await connection.write(
    Buffer.concat([Buffer.from([0x30]), varint(200 * 1024 * 1024), field('v1/devices/dev-1/telemetry')]),
  );
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  for (let sent = 0; sent < streamBytes && !connection.closed; sent += chunk.length) {
    if (!(await connection.write(chunk))) break;
  }
  return connection;
}

void describe(createHardenedConnectionHandler.name, () => {
  void it('B1/B2: a PUBLISH declaring 200 MiB is cut at its fixed header; 20 of them in parallel keep RSS flat', (t) =>
    withBroker({ allowAnonymous: true }, async (edge) => {
      const rssBefore = process.memoryUsage().rss;
      const single = await oversizedPublish(edge.port, 'big-0', 4 * 1024 * 1024);
      assert.equal(await single.waitForClose(), true);
      const crowd = await Promise.all(
        Array.from({ length: 20 }, (_, i) => oversizedPublish(edge.port, `big-${i + 1}`, 2 * 1024 * 1024)),
      );
      for (const c of crowd) assert.equal(await c.waitForClose(), true);
      const growthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
      assert.equal(await edge.rejected('packet_too_large'), 21);
      t.diagnostic(
        `RSS growth after 21 oversized PUBLISHes (up to 44 MiB offered): ${growthMb.toFixed(1)} MiB`,
      );
      assert.ok(growthMb < 30, `RSS grew ${growthMb.toFixed(1)} MiB`);
      // Other devices keep being served.
      const after = await RawMqttConnection.connected(edge.port, { clientId: 'small' });
      after.destroy();
    }));

  void it('B3: a packet exactly at the limit is accepted, one byte more is refused', () =>
    withBroker({ limits: { maxPacketBytes: 1024 } }, async (edge, secret) => {
      const topic = 'v1/devices/dev-1/telemetry';
      // 1 type byte + 2 length bytes + topic field + packet id + payload = 1024.
      const atLimit = publishPacket(topic, 'x'.repeat(1024 - 3 - (2 + topic.length) - 2), {
        qos: 1,
        packetId: 5,
      });
      assert.equal(atLimit.length, 1024);
      const ok = await RawMqttConnection.connected(edge.port, device(secret));
      await ok.write(atLimit);
      assert.ok(await ok.waitForPacket(4), 'PUBACK at the limit');
      ok.destroy();
      const tooBig = await RawMqttConnection.connected(edge.port, device(secret));
      await tooBig.write(publishPacket(topic, 'x'.repeat(1024 - 3 - (2 + topic.length) - 1), { qos: 1 }));
      assert.equal(await tooBig.waitForClose(), true);
      assert.equal(await edge.rejected('packet_too_large'), 1);
    }));

  void it('B9: a device publishing faster than its rate is disconnected', () =>
    withBroker({ limits: { publishRatePerS: 5, publishBurst: 10 } }, async (edge, secret) => {
      const connection = await RawMqttConnection.connected(edge.port, device(secret));
      const burst = Buffer.concat(
        Array.from({ length: 30 }, () => publishPacket('v1/devices/dev-1/telemetry', '{}')),
      );
      await connection.write(burst);
      assert.equal(await connection.waitForClose(), true);
      assert.equal(await edge.rejected('publish_rate'), 1);
    }));

  void it('B8: an address opening connections too fast is banned', () =>
    withBroker({ limits: { connectionsPerIpPerMin: 5 } }, async (edge) => {
      const opened = [];
      for (let i = 0; i < 5; i++) opened.push(await RawMqttConnection.open(edge.port));
      const sixth = await RawMqttConnection.open(edge.port);
      assert.equal(await sixth.waitForClose(), true);
      assert.equal(await edge.rejected('connection_rate'), 1);
      const seventh = await RawMqttConnection.open(edge.port);
      assert.equal(await seventh.waitForClose(), true);
      assert.equal(await edge.rejected('banned'), 1);
      assert.equal(
        opened.some((c) => c.closed),
        false,
        'connections opened before the ban stay',
      );
      for (const c of opened) c.destroy();
    }));

  void it('A16: connections past the cap are cut at accept; a freed slot is usable again', () =>
    withBroker({ limits: { maxConnections: 3 } }, async (edge, secret) => {
      const held = [];
      for (let i = 0; i < 3; i++) held.push(await RawMqttConnection.open(edge.port));
      const refused = await RawMqttConnection.open(edge.port);
      assert.equal(await refused.waitForClose(), true);
      assert.equal(await edge.rejected('max_connections'), 1);
      held.pop()!.destroy();
      assert.equal(await waitFor(() => edge.handler.openConnections === 2), true);
      const admitted = await RawMqttConnection.connected(edge.port, device(secret));
      admitted.destroy();
      for (const c of held) c.destroy();
      assert.equal(
        await waitFor(() => edge.handler.openConnections === 0),
        true,
        'every guarded socket released',
      );
    }));

  void it('B7: a subscriber that stops reading is cut once the broker holds too much for it; others keep receiving', () =>
    withBroker({ limits: { maxOutboundBytes: 256 * 1024 } }, async (edge) => {
      const integrationSecret = await edge.store.issueIntegration('cs', 'chirpstack');
      const dropped: string[] = [];
      edge.broker.on('clientDisconnect', (c) => dropped.push(c.id));
      const slow = await RawMqttConnection.connected(edge.port, {
        clientId: 'slow-sub',
        username: edge.platform.username,
        password: edge.platform.password,
      });
      await slow.write(subscribePacket(1, [['application/#', 0]]));
      assert.ok(await slow.waitForPacket(9));
      slow.socket.pause();
      const healthy = await connectAsync(edge.url, {
        clientId: 'healthy-sub',
        username: edge.platform.username,
        password: edge.platform.password,
        reconnectPeriod: 0,
      });
      let received = 0;
      let sawLast = false;
      healthy.on('message', (topic) => {
        received++;
        if (topic.endsWith('/last')) sawLast = true;
      });
      await healthy.subscribeAsync('application/#', { qos: 0 });
      const publisher = await connectAsync(edge.url, {
        clientId: 'cs',
        username: 'cs',
        password: integrationSecret,
        reconnectPeriod: 0,
      });
      const payload = Buffer.alloc(60_000, 0x42);
      for (let i = 0; i < 400 && !dropped.includes('slow-sub'); i++) {
        await publisher.publishAsync('application/1/device/aa/event/up', payload, { qos: 1 });
      }
      assert.equal(await waitFor(() => dropped.includes('slow-sub'), 5000), true, 'slow subscriber dropped');
      assert.equal(await edge.rejected('slow_consumer'), 1);
      await publisher.publishAsync('application/1/device/aa/last', 'end', { qos: 1 });
      assert.equal(await waitFor(() => sawLast, 5000), true, 'healthy subscriber still served');
      assert.ok(received > 10);
      await publisher.endAsync();
      await healthy.endAsync();
      slow.destroy();
    }));

  void it('D7: failed logins from one address lead to a ban of that address', () =>
    withBroker({ limits: { authFailuresPerIpPerMin: 2 } }, async (edge, secret) => {
      const openedBeforeBan = await RawMqttConnection.open(edge.port);
      for (let i = 0; i < 3; i++) {
        const c = await RawMqttConnection.open(edge.port);
        await c.write(connectPacket({ clientId: 'dev-1', username: 'dev-1', password: 'guess' }));
        assert.equal(await c.connackCode(), 4);
      }
      const legit = await RawMqttConnection.open(edge.port);
      await legit.write(connectPacket(device(secret)));
      assert.equal(await legit.waitForClose(), true, 'even right credentials are refused while banned');
      assert.equal(await edge.rejected('auth_failed'), 3);
      // A socket accepted before the ban is refused at its CONNECT (preConnect), not left dangling.
      await openedBeforeBan.write(connectPacket(device(secret)));
      assert.equal(await openedBeforeBan.waitForClose(), true);
      assert.equal(await openedBeforeBan.connackCode(0), undefined);
    }));
});
