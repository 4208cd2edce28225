// Device authentication and the deny-by-default topic ACL, through real sockets (raw and MQTT.js)
// against a real Aedes behind the hardened edge and a real SQLite credential store.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, scryptSync } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { createBrokerAuthHooks } from '#src/broker/auth/broker-auth.hooks.js';
import { startHardenedBroker, type HardenedBroker } from '#test/support/hardened-broker.js';
import {
  connectPacket,
  hex,
  publishPacket,
  RawMqttConnection,
  subscribePacket,
  waitFor,
} from '#test/support/mqtt-raw.js';

async function client(
  edge: HardenedBroker,
  clientId: string,
  username: string,
  password: string,
): Promise<MqttClient> {
  return connectAsync(edge.url, { clientId, username, password, reconnectPeriod: 0, connectTimeout: 3000 });
}

/** SUBACK return codes of a raw SUBSCRIBE. */
async function subackCodes(edge: HardenedBroker, username: string, password: string, filters: string[]) {
  const connection = await RawMqttConnection.connected(edge.port, { clientId: username, username, password });
  await connection.write(
    subscribePacket(
      3,
      filters.map((f) => [f, 1] as [string, number]),
    ),
  );
  const suback = await connection.waitForPacket(9);
  connection.destroy();
  assert.ok(suback, 'SUBACK received');
  return [...suback.subarray(4)];
}

void describe(createBrokerAuthHooks.name, () => {
  let edge: HardenedBroker;
  const secrets: Record<string, string> = {};

  before(async () => {
    edge = await startHardenedBroker({ limits: { authFailuresPerIpPerMin: 1000 } });
    for (const id of ['dev-a', 'dev-b', 'dev-c', 'dev-d']) secrets[id] = await edge.store.issue(id);
    secrets.chirpstack = await edge.store.issueIntegration('chirpstack', 'chirpstack');
    secrets.ops = await edge.store.issueIntegration('ops', 'operator');
  });
  after(() => edge.close());

  void it('admits a device with its own credential, refuses a wrong secret and an unknown device alike (0x04)', async () => {
    const ok = await RawMqttConnection.open(edge.port);
    await ok.write(connectPacket({ clientId: 'dev-a', username: 'dev-a', password: secrets['dev-a'] }));
    assert.equal(await ok.connackCode(), 0);
    ok.destroy();
    for (const [username, password] of [
      ['dev-a', secrets['dev-b']],
      ['nobody', secrets['dev-a']],
      ['dev-a', ''],
    ]) {
      const refused = await RawMqttConnection.open(edge.port);
      await refused.write(connectPacket({ clientId: username, username, password }));
      assert.equal(await refused.connackCode(), 4, `${username} refused with 0x04`);
      assert.equal(await refused.waitForClose(), true);
    }
    const anonymous = await RawMqttConnection.open(edge.port);
    await anonymous.write(connectPacket({ clientId: 'anon-1' }));
    assert.equal(await anonymous.connackCode(), 4);
  });

  void it('takes as long to refuse an unknown device as a wrong secret (both compare a digest)', async () => {
    // Interleaved samples and medians: one load spike on a shared machine must not decide it.
    const once = async (username: string) => {
      const start = process.hrtime.bigint();
      await edge.store.verify(username, Buffer.from('wrong-secret'));
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    for (let i = 0; i < 200; i++) await once(i % 2 === 0 ? 'dev-c' : 'no-such-device');
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 501; i++) {
      unknown.push(await once('no-such-device'));
      wrong.push(await once('dev-c'));
    }
    const unknownMs = median(unknown);
    const wrongMs = median(wrong);
    assert.ok(unknownMs / wrongMs > 0.5 && unknownMs / wrongMs < 2, `${unknownMs} ms vs ${wrongMs} ms`);
  });

  void it('stores a SHA-256 digest of each secret, never the secret', () => {
    const rows = edge.db.connection
      .prepare<[], { name: string; secret_hash: string }>(
        `SELECT device_id AS name, secret_hash FROM device_credentials
         UNION ALL SELECT name, secret_hash FROM integration_credentials`,
      )
      .all();
    assert.equal(rows.length, 6);
    for (const { name, secret_hash } of rows) {
      const digest = createHash('sha256').update(secrets[name]).digest('base64url');
      assert.equal(secret_hash, `sha256$${digest}`, name);
    }
  });

  void it('D1: refuses valid credentials under another client id (0x02)', async () => {
    const connection = await RawMqttConnection.open(edge.port);
    await connection.write(
      connectPacket({ clientId: 'dev-b', username: 'dev-a', password: secrets['dev-a'] }),
    );
    assert.equal(await connection.connackCode(), 2);
    assert.ok((await edge.rejected('client_id_mismatch')) >= 1);
  });

  void it("C1: device A's credential cannot publish to B's topic; its own readings flow", async () => {
    const platform = await client(edge, 'platform-1', edge.platform.username, edge.platform.password);
    const seen: string[] = [];
    platform.on('message', (topic) => seen.push(topic));
    await platform.subscribeAsync('v1/devices/+/telemetry', { qos: 1 });
    const deviceA = await client(edge, 'dev-a', 'dev-a', secrets['dev-a']);
    await deviceA.publishAsync('v1/devices/dev-a/telemetry', '{"ts":1,"temperature":4}', { qos: 1 });
    assert.equal(await waitFor(() => seen.includes('v1/devices/dev-a/telemetry')), true);

    const before = await edge.rejected('acl_publish');
    const spoofer = await RawMqttConnection.connected(edge.port, {
      clientId: 'dev-a',
      username: 'dev-a',
      password: secrets['dev-a'],
    });
    await spoofer.write(publishPacket('v1/devices/dev-b/telemetry', '{"ts":1,"temperature":99}', { qos: 1 }));
    assert.equal(await spoofer.waitForClose(), true, 'spoofing publisher disconnected');
    assert.equal(await edge.rejected('acl_publish'), before + 1);
    assert.equal(seen.includes('v1/devices/dev-b/telemetry'), false, 'nothing routed to B');
    await platform.endAsync();
    await deviceA.endAsync(true);
  });

  void it('B11: SUBACK 0x80 for # and $SYS/# and alerts from a device; operators get alerts and $SYS', async () => {
    assert.deepEqual(
      await subackCodes(edge, 'dev-c', secrets['dev-c'], ['#', '$SYS/#', 'v1/containers/+/alerts']),
      [0x80, 0x80, 0x80],
    );
    assert.deepEqual(
      await subackCodes(edge, 'ops', secrets.ops, ['v1/containers/+/alerts', '$SYS/#']),
      [1, 1],
    );
  });

  void it('confines a ChirpStack credential to application/…, without wildcard subscriptions', async () => {
    assert.deepEqual(
      await subackCodes(edge, 'chirpstack', secrets.chirpstack, [
        'application/1/device/0011223344556677/command/down',
        'application/+/device/+/command/down',
        'v3/x/devices/y/up',
      ]),
      [1, 0x80, 0x80],
    );
    const integration = await RawMqttConnection.connected(edge.port, {
      clientId: 'chirpstack',
      username: 'chirpstack',
      password: secrets.chirpstack,
    });
    await integration.write(
      publishPacket('application/1/device/0011223344556677/event/up', '{}', { qos: 1 }),
    );
    assert.ok(await integration.waitForPacket(4), 'PUBACK inside its tree');
    await integration.write(publishPacket('v1/devices/dev-a/telemetry', '{}', { qos: 1, packetId: 2 }));
    assert.equal(await integration.waitForClose(), true, 'closed outside its tree');
  });

  void it('D2: the same device reconnecting takes over its session, counted', async () => {
    const takeovers = async () =>
      (await edge.metrics.registry.getSingleMetric('convoi_broker_client_takeovers_total')?.get())?.values[0]
        ?.value ?? 0;
    const before = await takeovers();
    const first = await RawMqttConnection.connected(edge.port, {
      clientId: 'dev-d',
      username: 'dev-d',
      password: secrets['dev-d'],
    });
    const second = await RawMqttConnection.connected(edge.port, {
      clientId: 'dev-d',
      username: 'dev-d',
      password: secrets['dev-d'],
    });
    assert.equal(await first.waitForClose(), true, 'the older session is closed [MQTT-3.1.4-2]');
    assert.equal(second.closed, false);
    assert.equal(await takeovers(), before + 1);
    second.destroy();
  });

  void it('D8: revoking a credential closes the live session and refuses reconnects; rotating swaps secrets', async () => {
    const live = await RawMqttConnection.connected(edge.port, {
      clientId: 'dev-b',
      username: 'dev-b',
      password: secrets['dev-b'],
    });
    const fresh = await edge.store.rotate('dev-b');
    assert.equal(await live.waitForClose(), true, 'rotation ends the session using the old secret');
    const again = await RawMqttConnection.open(edge.port);
    await again.write(connectPacket({ clientId: 'dev-b', username: 'dev-b', password: secrets['dev-b'] }));
    assert.equal(await again.connackCode(), 4, 'old secret refused after rotation');
    const rotated = await RawMqttConnection.connected(edge.port, {
      clientId: 'dev-b',
      username: 'dev-b',
      password: fresh,
    });
    await edge.store.revoke('dev-b');
    assert.equal(await rotated.waitForClose(), true, 'revocation ends the session');
    const revoked = await RawMqttConnection.open(edge.port);
    await revoked.write(connectPacket({ clientId: 'dev-b', username: 'dev-b', password: fresh }));
    assert.equal(await revoked.connackCode(), 4);
  });

  void it('admits a device whose secret an older convoi hashed with scrypt, and stores its digest from then on', async () => {
    const secret = 'secret-issued-by-convoi-0-1-with-scrypt-000';
    const salt = randomBytes(16);
    const key = scryptSync(secret, salt, 32, { N: 1024, r: 8, p: 1 });
    const scryptHash = `scrypt$1024$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    const stored = () =>
      edge.db.connection
        .prepare<[], { h: string }>(
          "SELECT secret_hash AS h FROM device_credentials WHERE device_id = 'dev-old'",
        )
        .get()?.h;
    edge.db.connection
      .prepare("INSERT INTO device_credentials (device_id, secret_hash, created_at) VALUES ('dev-old', ?, 0)")
      .run(scryptHash);

    const wrong = await RawMqttConnection.open(edge.port);
    await wrong.write(connectPacket({ clientId: 'dev-old', username: 'dev-old', password: 'not-it' }));
    assert.equal(await wrong.connackCode(), 4);
    assert.equal(stored(), scryptHash, 'a wrong secret changes nothing');

    const right = await RawMqttConnection.open(edge.port);
    await right.write(connectPacket({ clientId: 'dev-old', username: 'dev-old', password: secret }));
    assert.equal(await right.connackCode(), 0);
    right.destroy();
    assert.equal(stored(), `sha256$${createHash('sha256').update(secret).digest('base64url')}`);
    const again = await RawMqttConnection.open(edge.port);
    await again.write(connectPacket({ clientId: 'dev-old', username: 'dev-old', password: secret }));
    assert.equal(await again.connackCode(), 0, 'the digest admits it next time');
    again.destroy();
  });
});

void describe('broker auth: bans and anonymous mode', () => {
  void it('D7: bans an address after too many failed logins', async () => {
    const edge = await startHardenedBroker({ limits: { authFailuresPerIpPerMin: 3 } });
    try {
      for (let i = 0; i < 4; i++) {
        const c = await RawMqttConnection.open(edge.port);
        await c.write(connectPacket({ clientId: 'x', username: 'x', password: 'wrong' }));
        assert.equal(await c.connackCode(), 4);
      }
      const banned = await RawMqttConnection.open(edge.port);
      assert.equal(await banned.waitForClose(), true, 'banned address cut at accept');
      assert.equal(await edge.rejected('banned'), 1);
    } finally {
      await edge.close();
    }
  });

  void it('BROKER_ALLOW_ANONYMOUS admits clients without credentials, still never $SYS publishes', async () => {
    const edge = await startHardenedBroker({ allowAnonymous: true });
    try {
      const c = await RawMqttConnection.connected(edge.port, { clientId: 'anon-1' });
      await c.write(publishPacket('$SYS/fake', 'x', { qos: 1 }));
      assert.equal(await c.waitForClose(), true);
      assert.deepEqual(hex('20 02 00 00'), c.received.subarray(0, 4));
    } finally {
      await edge.close();
    }
  });
});
