// The failed-login ban (HOSTILE-INPUTS D7) as configured: BROKER_AUTH_FAILURES_PER_IP_PER_MIN and
// BROKER_BAN_EXEMPT read by loadConfig take effect on a real broker over 127.0.0.1.
import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { brokerLimitsFrom } from '#src/broker/broker-settings.js';
import { loadConfig } from '#src/app-settings.js';
import { startHardenedBroker, type HardenedBroker } from '#test/support/hardened-broker.js';
import { connectPacket, RawMqttConnection } from '#test/support/mqtt-raw.js';

async function withConfiguredBroker(
  env: Record<string, string>,
  body: (edge: HardenedBroker, secret: string) => Promise<void>,
): Promise<void> {
  const edge = await startHardenedBroker({ limits: brokerLimitsFrom(loadConfig(env)) });
  try {
    await body(edge, await edge.store.issue('dev-1'));
  } finally {
    await edge.close();
  }
}

async function failLogin(edge: HardenedBroker): Promise<number | undefined> {
  const connection = await RawMqttConnection.open(edge.port);
  await connection.write(connectPacket({ clientId: 'dev-1', username: 'dev-1', password: 'guess' }));
  const code = await connection.connackCode();
  connection.destroy();
  return code;
}

async function deviceConnects(edge: HardenedBroker, secret: string): Promise<boolean> {
  const connection = await RawMqttConnection.open(edge.port);
  await connection.write(connectPacket({ clientId: 'dev-1', username: 'dev-1', password: secret }));
  const code = await connection.connackCode();
  connection.destroy();
  return code === 0;
}

void describe(brokerLimitsFrom.name, () => {
  void it('bans an address after BROKER_AUTH_FAILURES_PER_IP_PER_MIN failed logins, not before', () =>
    withConfiguredBroker({ BROKER_AUTH_FAILURES_PER_IP_PER_MIN: '5' }, async (edge, secret) => {
      for (let i = 0; i < 5; i++) assert.equal(await failLogin(edge), 4);
      assert.equal(await deviceConnects(edge, secret), true, 'five failures are allowed');
      assert.equal(await failLogin(edge), 4);
      assert.equal(await deviceConnects(edge, secret), false, 'the sixth bans the address');
      assert.ok((await edge.rejected('banned')) >= 1);
    }));

  void it('never bans an address inside BROKER_BAN_EXEMPT', () =>
    withConfiguredBroker(
      { BROKER_AUTH_FAILURES_PER_IP_PER_MIN: '2', BROKER_BAN_EXEMPT: '192.0.2.0/24, 127.0.0.0/8' },
      async (edge, secret) => {
        for (let i = 0; i < 6; i++) assert.equal(await failLogin(edge), 4);
        assert.equal(await deviceConnects(edge, secret), true);
        assert.equal(await edge.rejected('banned'), 0);
      },
    ));
});
