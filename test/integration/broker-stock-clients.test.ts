// What stock MQTT 3.1.1 clients and test suites send (Paho's interoperability suite, Mosquitto's
// test corpus): keep-alive 0 and client ids with spaces are valid [MQTT-3.1.2-10], [MQTT-3.1.3-4].
// The broker accepts them, applies its keep-alive limit to keep-alive 0, and still binds an
// authenticated device's client id to its username.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectAsync } from 'mqtt';
import { inspectConnect } from '#src/broker/hardening/connect-packet.inspector.js';
import { startHardenedBroker, type HardenedBroker } from '#test/support/hardened-broker.js';
import { connectPacket, RawMqttConnection } from '#test/support/mqtt-raw.js';

const KEEPALIVE_MAX_S = 1;

void describe(`${inspectConnect.name} with stock clients`, () => {
  let anonymous: HardenedBroker;
  let authenticated: HardenedBroker;
  let secret: string;

  before(async () => {
    anonymous = await startHardenedBroker({
      allowAnonymous: true,
      limits: { keepaliveMaxS: KEEPALIVE_MAX_S },
    });
    authenticated = await startHardenedBroker();
    secret = await authenticated.store.issue('dev-1');
  });
  after(async () => {
    await anonymous.close();
    await authenticated.close();
  });

  void it('accepts keep-alive 0 and closes the idle client after 1.5 x BROKER_KEEPALIVE_MAX_S', async () => {
    const connection = await RawMqttConnection.open(anonymous.port);
    await connection.write(connectPacket({ clientId: 'idle-client', keepaliveS: 0 }));
    assert.equal(await connection.connackCode(), 0);
    const connectedAt = Date.now();
    assert.equal(await connection.waitForClose(KEEPALIVE_MAX_S * 1500 + 2000), true, 'idle client dropped');
    const idleMs = Date.now() - connectedAt;
    assert.ok(idleMs >= KEEPALIVE_MAX_S * 1000, `dropped after ${idleMs} ms, before the limit`);
  });

  void it('keeps a keep-alive 0 client that stays active past the limit', async () => {
    const client = await connectAsync(anonymous.url, {
      clientId: 'busy client',
      keepalive: 0,
      reconnectPeriod: 0,
    });
    try {
      const until = Date.now() + KEEPALIVE_MAX_S * 2500;
      while (Date.now() < until) {
        await client.publishAsync('lab/ping', 'x', { qos: 1 });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(client.connected, true);
    } finally {
      await client.endAsync();
    }
  });

  for (const clientId of [
    'clean retained',
    'v3.1.1 CONNECT [MQTT-3.1.0-1]',
    'dev/1#+',
    'd'.repeat(65),
    'Kühlraum 3',
  ]) {
    void it(`accepts the client id ${JSON.stringify(clientId.slice(0, 30))} in anonymous mode`, async () => {
      const connection = await RawMqttConnection.connected(anonymous.port, { clientId, keepaliveS: 1 });
      connection.destroy();
    });
  }

  void it('still refuses control characters in a client id, counted as client_id', async () => {
    const before = await anonymous.rejected('client_id');
    const connection = await RawMqttConnection.open(anonymous.port);
    await connection.write(connectPacket({ clientId: 'tab\there', keepaliveS: 1 }));
    assert.equal(await connection.connackCode(), 2);
    assert.equal(await connection.waitForClose(), true);
    assert.equal(await anonymous.rejected('client_id'), before + 1);
  });

  void it('refuses a device whose client id differs from its username, spaces or not', async () => {
    for (const clientId of ['dev 1', 'dev-1 ']) {
      const before = await authenticated.rejected('client_id_mismatch');
      const connection = await RawMqttConnection.open(authenticated.port);
      await connection.write(connectPacket({ clientId, username: 'dev-1', password: secret, keepaliveS: 0 }));
      assert.equal(await connection.connackCode(), 2, clientId);
      assert.equal(await authenticated.rejected('client_id_mismatch'), before + 1);
      connection.destroy();
    }
    const bound = await RawMqttConnection.connected(authenticated.port, {
      clientId: 'dev-1',
      username: 'dev-1',
      password: secret,
      keepaliveS: 0,
    });
    bound.destroy();
  });
});
