// HOSTILE-INPUTS A, C4, D4, D5 through real sockets: each violation closes the connection (or
// gets the right CONNACK code) and is counted; Aedes alone lets these through.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GuardedConnection } from '#src/broker/hardening/guarded-connection.js';
import { startHardenedBroker, type HardenedBroker } from '#test/support/hardened-broker.js';
import {
  connectPacket,
  field,
  frame,
  hex,
  publishPacket,
  RawMqttConnection,
  subscribePacket,
} from '#test/support/mqtt-raw.js';

void describe(GuardedConnection.name, () => {
  let edge: HardenedBroker;
  let secret: string;
  const device = { clientId: 'dev-1', username: 'dev-1' };

  before(async () => {
    edge = await startHardenedBroker({ limits: { connectTimeoutMs: 400, maxTopicBytes: 200 } });
    secret = await edge.store.issue('dev-1');
  });
  after(() => edge.close());

  /** Sends `bytes` as the first packet; expects a close without CONNACK, counted as `reason`. */
  async function expectClosedAtConnect(bytes: Buffer, reason: string): Promise<void> {
    const before = await edge.rejected(reason);
    const connection = await RawMqttConnection.open(edge.port);
    await connection.write(bytes);
    assert.equal(await connection.waitForClose(), true, 'broker closes the connection');
    assert.equal(await connection.connackCode(0), undefined, 'no CONNACK');
    assert.equal(await edge.rejected(reason), before + 1);
  }

  /** Sends a CONNECT that must be answered with CONNACK `code` and a close. */
  async function expectConnack(bytes: Buffer, code: number, reason: string): Promise<void> {
    const before = await edge.rejected(reason);
    const connection = await RawMqttConnection.open(edge.port);
    await connection.write(bytes);
    assert.equal(await connection.connackCode(), code);
    assert.equal(await connection.waitForClose(), true);
    assert.equal(await edge.rejected(reason), before + 1);
  }

  /** Connects as dev-1, then sends `bytes`; expects a close counted as `reason`. */
  async function expectClosedAfterConnect(bytes: Buffer, reason: string): Promise<void> {
    const before = await edge.rejected(reason);
    const connection = await RawMqttConnection.connected(edge.port, { ...device, password: secret });
    const sizeAfterConnack = connection.received.length;
    await connection.write(bytes);
    assert.equal(await connection.waitForClose(), true, 'broker closes the connection');
    assert.equal(connection.received.length, sizeAfterConnack, 'no answer to the violation');
    assert.equal(await edge.rejected(reason), before + 1);
  }

  void it('A5: closes on Will QoS 3', () =>
    expectClosedAtConnect(hex('10 13 0004 4D515454 04 1E 000A 0001 70 0001 70 0001 70'), 'will_qos'));

  void it('A6: closes on a password flag without a username flag', () =>
    expectClosedAtConnect(
      connectPacket({ clientId: 'dev-1', password: 'x', flags: 0x42 }).subarray(0),
      'password_without_username',
    ));

  void it('A6: closes when username bytes follow a clear username flag', () =>
    expectClosedAtConnect(
      frame(0x10, field('MQTT'), hex('04 02 003C'), field('dev-1'), field('dev-1')),
      'malformed',
    ));

  void it('A1: closes when the first packet is not CONNECT', () =>
    expectClosedAtConnect(hex('30 0E 0005 746F706963 7061796C6F6164'), 'first_packet_not_connect'));

  void it('A3: answers CONNACK 0x01 to protocol level 6 and to MQTT 5', async () => {
    await expectConnack(connectPacket({ protocolLevel: 6 }), 1, 'protocol_version');
    await expectConnack(frame(0x10, field('MQTT'), hex('05 02 003C 00'), field('c5')), 1, 'protocol_version');
  });

  void it('D4: answers CONNACK 0x02 to an empty client id with a persistent session', () =>
    expectConnack(connectPacket({ clientId: '', clean: false }), 2, 'empty_client_id_persistent'));

  for (const [name, clientId] of [
    ['NUL', Buffer.from('dev\u0000x')],
    ['a surrogate', hex('64 ED A0 80')],
    ['a control character', Buffer.from('dev\u0001')],
    ['invalid UTF-8', hex('64 C3 28')],
    ['U+009F', Buffer.from('dev\u009f')],
  ] as const) {
    void it(`D5: answers CONNACK 0x02 to a client id with ${name}`, () =>
      expectConnack(connectPacket({ clientId }), 2, 'client_id'));
  }

  void it('B5: answers CONNACK 0x02 to a client id of 257 bytes', () =>
    expectConnack(connectPacket({ clientId: 'd'.repeat(257) }), 2, 'client_id_too_long'));

  void it('A15b: answers CONNACK 0x02 to keep-alive 65535', () =>
    expectConnack(connectPacket({ keepaliveS: 65535 }), 2, 'keepalive'));

  void it('D5: answers CONNACK 0x04 to a username with NUL', () =>
    expectConnack(connectPacket({ username: 'dev\u0000', password: 'x' }), 4, 'username'));

  void it('A15: drops a byte-at-a-time CONNECT that never completes, after the connect timeout', async () => {
    const before = await edge.rejected('connect_timeout');
    const connection = await RawMqttConnection.open(edge.port);
    const bytes = connectPacket(device);
    for (const byte of bytes.subarray(0, 6)) await connection.write(Buffer.from([byte]));
    assert.equal(await connection.waitForClose(2000), true);
    assert.equal(await edge.rejected('connect_timeout'), before + 1);
  });

  void it('A2: closes on a second CONNECT', () =>
    expectClosedAfterConnect(connectPacket({ ...device, password: secret }), 'second_connect'));

  void it('A9: closes on a QoS 1 PUBLISH with packet id 0, without PUBACK', () =>
    expectClosedAfterConnect(hex('32 10 0005 746F706963 0000 7061796C6F6164'), 'packet_id_zero'));

  void it('A10: closes on a QoS 0 PUBLISH with DUP set', () =>
    expectClosedAfterConnect(publishPacket('v1/devices/dev-1/telemetry', '{}', { dup: true }), 'malformed'));

  void it('A11: closes on PINGREQ with a body and on PINGREQ with flag bits', async () => {
    await expectClosedAfterConnect(hex('C0 01 00'), 'malformed');
    await expectClosedAfterConnect(hex('C1 00'), 'malformed');
  });

  void it('A12: closes on server-only packets', async () => {
    await expectClosedAfterConnect(hex('20 02 00 00'), 'server_only_packet');
    await expectClosedAfterConnect(hex('D0 00'), 'server_only_packet');
  });

  for (const bytes of ['40 00', '40 01 01', '40 03 0001 00']) {
    void it(`A13: closes on a truncated or padded PUBACK ${bytes}`, () =>
      expectClosedAfterConnect(hex(bytes), 'malformed'));
  }

  void it('A13: closes on PUBREL with packet id 0', () =>
    expectClosedAfterConnect(hex('62 02 0000'), 'packet_id_zero'));

  void it('A14: closes on an UNSUBSCRIBE without filters and a SUBSCRIBE with wrong flag bits', async () => {
    await expectClosedAfterConnect(hex('A2 02 0001'), 'malformed');
    await expectClosedAfterConnect(hex('80 08 0001 0003 612F62 00'), 'malformed');
    await expectClosedAfterConnect(hex('82 02 0001'), 'malformed');
  });

  for (const [name, topic] of [
    ['NUL', hex('746F70 00 00')],
    ['a surrogate', hex('746F70 ED A0 80')],
    ['U+0001', hex('746F70 01')],
    ['U+007F', hex('746F70 7F')],
    ['U+FFFF', hex('746F70 EF BF BF')],
    ['a wildcard', Buffer.from('v1/devices/+/telemetry')],
  ] as const) {
    void it(`C4: closes on a PUBLISH topic with ${name}`, () =>
      expectClosedAfterConnect(publishPacket(topic, '{}'), 'topic_invalid'));
  }

  void it('B5: closes on a topic above the length limit and above the level limit', async () => {
    await expectClosedAfterConnect(publishPacket('a'.repeat(201), '{}'), 'topic_too_long');
    await expectClosedAfterConnect(publishPacket(Array(17).fill('a').join('/'), '{}'), 'topic_levels');
    await expectClosedAfterConnect(subscribePacket(7, [['a/#/b', 0]]), 'topic_invalid');
  });

  void it('accepts a well-formed session: QoS 1 publish acknowledged, PINGREQ answered', async () => {
    const connection = await RawMqttConnection.connected(edge.port, { ...device, password: secret });
    await connection.write(publishPacket('v1/devices/dev-1/telemetry', '{"ts":1}', { qos: 1, packetId: 9 }));
    const puback = await connection.waitForPacket(4);
    assert.deepEqual(puback, hex('40 02 0009'));
    await connection.write(hex('C0 00'));
    assert.deepEqual(await connection.waitForPacket(13), hex('D0 00'));
    assert.equal(connection.closed, false);
    connection.destroy();
  });
});
