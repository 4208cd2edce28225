// The PROXY protocol at the MQTT edge (BROKER_PROXY_PROTOCOL_FROM) behind Debian's HAProxy with
// `send-proxy-v2 check-send-proxy`, on the plain and the TLS listener: each device is seen, counted
// and banned at its own address (loopback aliases 127.0.0.x), the balancer's health checks count
// for nothing, and headers from the wrong side or missing ones are refused, each with its reason.
import assert from 'node:assert/strict';
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { BrokerService } from '#src/broker/broker.service.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { HaproxyProcess } from '#test/support/haproxy.js';
import { connectPacket, RawMqttConnection } from '#test/support/mqtt-raw.js';
import { connectionOpenedBy, proxyV2 } from '#test/support/proxy-header.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { createTestCertificates, type TestCertificates } from '#test/support/tls.js';
import { waitFor } from '#test/support/wait-for.js';

const CONNECTIONS_PER_IP_PER_MIN = 5;
const AUTH_FAILURES_PER_IP_PER_MIN = 2;

void describe('PROXY protocol behind HAProxy (BROKER_PROXY_PROTOCOL_FROM)', () => {
  let certs: TestCertificates;
  let app: TestApp;
  let edgePort: number;
  let edgeTlsPort: number;
  let plain: HaproxyProcess;
  let tls: HaproxyProcess;
  const clients: MqttClient[] = [];

  /** `convoi_broker_rejected_total{reason}` and other samples from GET /metrics (the broker thread's included). */
  const metric = async (sample: string): Promise<number> => {
    const { body } = await app.request('/metrics');
    const line = (body as string).split('\n').find((l) => l.startsWith(`${sample} `));
    return line === undefined ? 0 : Number(line.slice(sample.length + 1));
  };
  const rejected = (reason: string): Promise<number> =>
    metric(`convoi_broker_rejected_total{reason="${reason}"}`);

  /** CONNECT through `port` from `localAddress`: the CONNACK code, or undefined when the edge cut it. */
  const connectFrom = async (
    port: number,
    localAddress: string,
    clientId: string,
    password?: string,
  ): Promise<number | undefined> => {
    const connection = await RawMqttConnection.open(port, '127.0.0.1', 5000, localAddress);
    try {
      const credentials = password === undefined ? {} : { username: clientId, password };
      await connection.write(connectPacket({ clientId, ...credentials }));
      return await connection.connackCode();
    } finally {
      connection.destroy();
    }
  };

  /** An MQTT.js client whose socket starts from `localAddress` (MQTT.js has no such option: its stream builder). */
  const mqttFrom = (build: () => NodeJS.ReadWriteStream, options: IClientOptions): Promise<MqttClient> =>
    new Promise((resolve, reject) => {
      const client = new mqtt.MqttClient(() => build() as never, { reconnectPeriod: 0, ...options });
      clients.push(client);
      client.once('connect', () => resolve(client));
      client.once('error', reject);
      client.once('close', () => reject(new Error('closed before CONNACK')));
    });

  before(async () => {
    certs = createTestCertificates();
    app = await startTestApp({
      env: {
        // HAProxy reaches the edge from 127.0.0.1; test clients come from other loopback addresses.
        BROKER_PROXY_PROTOCOL_FROM: '127.0.0.1',
        BROKER_CONNECTIONS_PER_IP_PER_MIN: String(CONNECTIONS_PER_IP_PER_MIN),
        BROKER_AUTH_FAILURES_PER_IP_PER_MIN: String(AUTH_FAILURES_PER_IP_PER_MIN),
        BROKER_CONNECT_TIMEOUT_MS: '1500',
        BROKER_TLS_CERT_FILE: certs.certFile,
        BROKER_TLS_KEY_FILE: certs.keyFile,
        BROKER_TLS_PORT: '0',
      },
    });
    const broker = app.running.app.get(BrokerService);
    edgePort = broker.port();
    edgeTlsPort = broker.tlsPort() ?? 0;
    plain = new HaproxyProcess([edgePort], { proxyProtocol: 'v2' });
    tls = new HaproxyProcess([edgeTlsPort], { proxyProtocol: 'v2' });
    await Promise.all([plain.start(), tls.start()]);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await Promise.all([plain?.dispose(), tls?.dispose()]);
    await app?.close();
    certs?.remove();
  });

  void it("counts the balancer's health checks as no client: more than the per-address limit, no ban", async () => {
    // Five a second: past the limit within two seconds, had they counted against 127.0.0.1 (which
    // would then be banned, and every device behind it).
    await waitFor(
      'HAProxy health checks past the per-address limit',
      async () => (await metric('convoi_broker_proxy_checks_total')) > CONNECTIONS_PER_IP_PER_MIN,
      30_000,
    );
    assert.equal(await connectFrom(plain.port, '127.0.0.2', 'sensor-a'), 0);
    assert.equal(await rejected('proxy_header_invalid'), 0, 'checks open with a valid LOCAL header');
    assert.equal(await rejected('proxy_header_timeout'), 0);
  });

  /** Fills the per-address limit from `flooder` through `port`, sees it banned, and `neighbour` not. */
  const floodThenNeighbour = async (port: number, flooder: string, neighbour: string): Promise<void> => {
    for (let i = 0; i < CONNECTIONS_PER_IP_PER_MIN; i++)
      assert.equal(await connectFrom(port, flooder, `flood-${i}`), 0, `connection ${i + 1}`);
    const bansBefore = await rejected('connection_rate');
    assert.equal(await connectFrom(port, flooder, 'flood-over'), undefined, 'over the limit: cut');
    assert.equal(await connectFrom(port, flooder, 'flood-banned'), undefined, 'then banned');
    assert.equal(await rejected('connection_rate'), bansBefore + 1);
    assert.ok((await rejected('banned')) >= 1);
    assert.equal(await connectFrom(port, neighbour, 'neighbour'), 0, 'another device is not banned');
  };

  void it('bans the device that floods, at its own address, and not the one beside it', () =>
    floodThenNeighbour(plain.port, '127.0.0.3', '127.0.0.4'));

  void it('counts failed logins against the device address the header named', async () => {
    const device = 'sensor-pal-7001';
    const res = await app.request(`/api/v1/devices/${device}/credentials`, { method: 'POST' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    for (let i = 0; i <= AUTH_FAILURES_PER_IP_PER_MIN; i++)
      assert.equal(
        await connectFrom(plain.port, '127.0.0.11', device, 'wrong-secret'),
        4,
        `failure ${i + 1}`,
      );
    assert.equal(await connectFrom(plain.port, '127.0.0.11', device, res.body.secret), undefined, 'banned');
    assert.equal(
      await connectFrom(plain.port, '127.0.0.12', device, res.body.secret),
      0,
      'the device elsewhere',
    );
  });

  void it('reads the v1 text header of HAProxy `send-proxy` just as well, its health checks included', async () => {
    const checks = await metric('convoi_broker_proxy_checks_total');
    const v1 = new HaproxyProcess([edgePort], { proxyProtocol: 'v1' });
    await v1.start();
    try {
      // Its health checks name the balancer itself (`PROXY TCP4 127.0.0.1 …`): no client either.
      await waitFor(
        'v1 health checks past the per-address limit',
        async () => (await metric('convoi_broker_proxy_checks_total')) > checks + CONNECTIONS_PER_IP_PER_MIN,
        30_000,
      );
      await floodThenNeighbour(v1.port, '127.0.0.9', '127.0.0.10');
    } finally {
      await v1.dispose();
    }
  });

  void it('stores a reading an MQTT.js device publishes through HAProxy', async () => {
    const device = 'sensor-reefer-001';
    const client = await mqttFrom(
      () => connectTcp({ host: '127.0.0.1', port: plain.port, localAddress: '127.0.0.5' }),
      { clientId: device },
    );
    const ts = new Date().toISOString();
    await client.publishAsync(deviceTelemetryTopic(device), JSON.stringify({ ts, temperature: 4.75 }), {
      qos: 1,
    });
    await waitFor('the reading stored', async () => {
      const res = await app.request('/api/v1/containers/REEFER-001/readings');
      return (res.body.items as { temperatureC?: number }[]).some((r) => r.temperatureC === 4.75);
    });
  });

  void it('reads the header before the TLS handshake, and bans over TLS by the device address', async () => {
    const overTls = (localAddress: string, clientId: string): Promise<MqttClient> =>
      mqttFrom(
        () =>
          connectTls({
            socket: connectTcp({ host: '127.0.0.1', port: tls.port, localAddress }),
            ca: certs.ca,
            servername: 'localhost',
          }),
        { clientId, protocol: 'mqtts' },
      );
    for (let i = 0; i < CONNECTIONS_PER_IP_PER_MIN; i++) (await overTls('127.0.0.6', `tls-${i}`)).end(true);
    await assert.rejects(overTls('127.0.0.6', 'tls-over'), 'the sixth from 127.0.0.6 is cut');
    const device = await overTls('127.0.0.7', 'sensor-reefer-003');
    await device.publishAsync(deviceTelemetryTopic('sensor-reefer-003'), JSON.stringify({ temperature: 5 }), {
      qos: 1,
    });
  });

  void it('reads a header split into one-byte segments, and the CONNECT that follows it', async () => {
    const connection = await RawMqttConnection.open(edgePort);
    try {
      connection.socket.setNoDelay(true);
      for (const byte of proxyV2('192.0.2.8', 40000)) await connection.write(Buffer.from([byte]));
      await connection.write(connectPacket({ clientId: 'fragmented' }));
      assert.equal(await connection.connackCode(), 0);
    } finally {
      connection.destroy();
    }
  });

  void it("takes the bytes that share the header's segment as the first MQTT bytes", async () => {
    const connection = await RawMqttConnection.open(edgePort);
    try {
      await connection.write(
        Buffer.concat([proxyV2('192.0.2.11', 40000), connectPacket({ clientId: 'same-segment' })]),
      );
      assert.equal(await connection.connackCode(), 0);
    } finally {
      connection.destroy();
    }
  });

  void it("takes a TLS ClientHello that shares the header's segment as the start of the handshake", async () => {
    // The header goes out in the same write as the TLS client's first bytes: one segment.
    const carrier = connectionOpenedBy(proxyV2('192.0.2.12', 40000), edgeTlsPort);
    const client = await mqttFrom(
      () => connectTls({ socket: carrier, ca: certs.ca, servername: 'localhost' }),
      {
        clientId: 'tls-same-segment',
        protocol: 'mqtts',
      },
    );
    assert.equal(client.connected, true);
  });

  void it('refuses a trusted connection closed mid-header, and a v2 header declaring too much at once', async () => {
    const invalid = await rejected('proxy_header_invalid');
    const truncated = await RawMqttConnection.open(edgePort);
    await truncated.write(proxyV2('192.0.2.13', 40000).subarray(0, 20));
    truncated.socket.end();
    await waitFor(
      'the truncated header refused',
      async () => (await rejected('proxy_header_invalid')) === invalid + 1,
    );

    const huge = await RawMqttConnection.open(edgePort);
    const declared = proxyV2('192.0.2.14', 40000).subarray(0, 16);
    declared.writeUInt16BE(0xffff, 14); // 65,535 bytes of addresses and TLVs announced
    await huge.write(declared);
    assert.equal(await huge.waitForClose(), true, 'cut without waiting for the announced bytes');
    assert.equal(await rejected('proxy_header_invalid'), invalid + 2);
  });

  void it('refuses a PROXY header from an address not trusted for it, v2 and v1', async () => {
    const before = await rejected('proxy_header_untrusted');
    for (const header of [
      proxyV2('192.0.2.9', 40000),
      Buffer.from('PROXY TCP4 192.0.2.9 127.0.0.1 40000 1883\r\n'),
    ]) {
      const forger = await RawMqttConnection.open(edgePort, '127.0.0.1', 5000, '127.0.0.8');
      await forger.write(Buffer.concat([header, connectPacket({ clientId: 'forger' })]));
      assert.equal(await forger.waitForClose(), true, 'cut');
      assert.equal(await forger.connackCode(100), undefined);
    }
    assert.equal(await rejected('proxy_header_untrusted'), before + 2);
  });

  void it('refuses MQTT from the trusted address without a header, and a header that never ends', async () => {
    const invalid = await rejected('proxy_header_invalid');
    const bare = await RawMqttConnection.open(edgePort);
    await bare.write(connectPacket({ clientId: 'no-header' }));
    assert.equal(await bare.waitForClose(), true);
    assert.equal(await bare.connackCode(100), undefined);
    assert.equal(await rejected('proxy_header_invalid'), invalid + 1);

    const timeouts = await rejected('proxy_header_timeout');
    const stalled = await RawMqttConnection.open(edgePort);
    await stalled.write(proxyV2('192.0.2.10', 40000).subarray(0, 20));
    assert.equal(await stalled.waitForClose(5000), true, 'cut after BROKER_CONNECT_TIMEOUT_MS');
    assert.equal(await rejected('proxy_header_timeout'), timeouts + 1);
  });
});
