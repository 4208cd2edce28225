// Third-party clients against the hardened broker: Debian's mosquitto_pub / mosquitto_sub and
// MQTT.js connect with credentials, publish and subscribe; refusals reach them as MQTT answers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { connectAsync } from 'mqtt';
import { createBrokerAuthHooks } from '#src/broker/auth/broker-auth.hooks.js';
import { startHardenedBroker, type HardenedBroker } from '#test/support/hardened-broker.js';
import { waitFor } from '#test/support/mqtt-raw.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], timeoutMs = 15_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

void describe(`${createBrokerAuthHooks.name} with third-party clients`, () => {
  let edge: HardenedBroker;
  const secrets: Record<string, string> = {};
  const subscribed = new Set<string>();

  before(async () => {
    edge = await startHardenedBroker();
    edge.broker.on('subscribe', (_subs, client) => subscribed.add(client.id));
    for (const id of ['dev-m', 'dev-j', 'dev-x']) secrets[id] = await edge.store.issue(id);
  });
  after(() => edge.close());

  const common = () => ['-h', '127.0.0.1', '-p', String(edge.port)];

  void it('mosquitto_sub receives what mosquitto_pub and MQTT.js devices publish with their credentials', async () => {
    const sub = spawn('mosquitto_sub', [
      ...common(),
      ...['-i', 'sub-1', '-u', edge.platform.username, '-P', edge.platform.password],
      ...['-t', 'v1/devices/+/telemetry', '-v', '-C', '2', '-W', '20', '-q', '1'],
    ]);
    let output = '';
    sub.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => sub.on('close', resolve));
    try {
      assert.equal(await waitFor(() => subscribed.has('sub-1'), 5000), true, 'mosquitto_sub subscribed');
      const pub = await run('mosquitto_pub', [
        ...common(),
        ...['-i', 'dev-m', '-u', 'dev-m', '-P', secrets['dev-m']],
        ...['-t', 'v1/devices/dev-m/telemetry', '-m', '{"ts":1,"temperature":3.5}', '-q', '1'],
      ]);
      assert.equal(pub.code, 0, pub.stderr);
      const device = await connectAsync(edge.url, {
        clientId: 'dev-j',
        username: 'dev-j',
        password: secrets['dev-j'],
        reconnectPeriod: 0,
      });
      await device.publishAsync('v1/devices/dev-j/telemetry', '{"ts":2,"temperature":4.5}', { qos: 1 });
      await device.endAsync();
      assert.equal(await exited, 0);
      assert.match(output, /v1\/devices\/dev-m\/telemetry \{"ts":1,"temperature":3.5\}/);
      assert.match(output, /v1\/devices\/dev-j\/telemetry \{"ts":2,"temperature":4.5\}/);
    } finally {
      sub.kill();
    }
  });

  void it('mosquitto_pub with a wrong secret is told "bad user name or password"', async () => {
    const pub = await run('mosquitto_pub', [
      ...common(),
      ...[
        '-i',
        'dev-x',
        '-u',
        'dev-x',
        '-P',
        secrets['dev-m'],
        '-t',
        'v1/devices/dev-x/telemetry',
        '-m',
        '{}',
      ],
    ]);
    assert.notEqual(pub.code, 0);
    assert.match(pub.stderr, /bad user name or password/i);
  });

  void it('mosquitto_sub with a device credential is denied # (SUBACK 0x80)', async () => {
    const sub = await run('mosquitto_sub', [
      ...common(),
      ...['-i', 'dev-x', '-u', 'dev-x', '-P', secrets['dev-x'], '-t', '#', '-W', '5'],
    ]);
    assert.match(sub.stderr, /All subscription requests were denied/);
  });

  void it('MQTT.js gets a failure code for a forbidden subscription and a grant for its own tree', async () => {
    const ops = await edge.store.issueIntegration('ops-1', 'operator');
    const operator = await connectAsync(edge.url, {
      clientId: 'ops-1',
      username: 'ops-1',
      password: ops,
      reconnectPeriod: 0,
    });
    const granted = await operator.subscribeAsync('v1/containers/+/alerts', { qos: 1 });
    assert.equal(granted[0].qos, 1);
    await operator.endAsync();
    const device = await connectAsync(edge.url, {
      clientId: 'dev-j',
      username: 'dev-j',
      password: secrets['dev-j'],
      reconnectPeriod: 0,
    });
    // MQTT.js turns a SUBACK 0x80 into a rejection that carries the packet.
    await assert.rejects(device.subscribeAsync('v1/containers/+/alerts', { qos: 1 }), (error: any) => {
      assert.deepEqual(error.packet.granted, [128]);
      return true;
    });
    await device.endAsync();
  });
});
