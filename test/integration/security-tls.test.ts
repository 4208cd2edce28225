// TLS at both edges with a CA made at test time by openssl: MQTT over TLS (MQTT.js and
// mosquitto_pub with device credentials, reading stored; an untrusting client fails the
// handshake) and HTTPS for the API (HSTS; plain HTTP refused on that port).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { BrokerService } from '#src/broker/broker.service.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { createTestCertificates, type TestCertificates } from '#test/support/tls.js';
import { waitFor } from '#test/support/wait-for.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, ca?: Buffer): Promise<Answer> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ca, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function mosquittoPub(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('mosquitto_pub', args, { timeout: 15_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr });
    });
  });
}

void describe('MQTT over TLS (BROKER_TLS_*)', () => {
  let certs: TestCertificates;
  let app: TestApp;
  let tlsPort: number;

  before(async () => {
    certs = createTestCertificates();
    app = await startTestApp({
      env: {
        BROKER_ALLOW_ANONYMOUS: 'false',
        BROKER_TLS_CERT_FILE: certs.certFile,
        BROKER_TLS_KEY_FILE: certs.keyFile,
        BROKER_TLS_PORT: '0',
      },
    });
    tlsPort = app.running.app.get(BrokerService).tlsPort() ?? 0;
  });
  after(async () => {
    await app.close();
    certs.remove();
  });

  const issue = async (deviceId: string): Promise<string> => {
    const res = await app.request(`/api/v1/devices/${deviceId}/credentials`, { method: 'POST' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.secret as string;
  };
  const storedTemperatures = async (containerId: string): Promise<number[]> => {
    const res = await app.request(`/api/v1/containers/${containerId}/readings`);
    return (res.body.items as { temperatureC?: number }[]).map((r) => r.temperatureC ?? NaN);
  };

  void it('listens on its own port next to the plain one', () => {
    assert.ok(tlsPort > 0, 'tlsPort() names the bound port');
    assert.notEqual(tlsPort, app.running.app.get(BrokerService).port());
  });

  void it('stores a reading MQTT.js publishes over mqtts:// with device credentials and the CA', async () => {
    const device = 'sensor-reefer-001';
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, {
      ca: certs.ca,
      clientId: device,
      username: device,
      password: await issue(device),
      reconnectPeriod: 0,
    });
    try {
      const ts = new Date().toISOString();
      await client.publishAsync(deviceTelemetryTopic(device), JSON.stringify({ ts, temperature: 3.25 }), {
        qos: 1,
      });
      await waitFor('MQTT.js reading stored', async () =>
        (await storedTemperatures('REEFER-001')).includes(3.25),
      );
    } finally {
      await client.endAsync(true);
    }
  });

  void it('stores a reading mosquitto_pub publishes with --cafile and device credentials', async () => {
    const device = 'sensor-pal-7001';
    const pub = await mosquittoPub([
      ...['-h', '127.0.0.1', '-p', String(tlsPort), '--cafile', certs.caFile],
      ...['-i', device, '-u', device, '-P', await issue(device)],
      ...['-t', deviceTelemetryTopic(device), '-q', '1'],
      ...['-m', JSON.stringify({ ts: new Date().toISOString(), temperature: -19.5 })],
    ]);
    assert.equal(pub.code, 0, pub.stderr);
    await waitFor('mosquitto_pub reading stored', async () =>
      (await storedTemperatures('PAL-7001')).includes(-19.5),
    );
  });

  void it('fails the handshake of clients that do not trust the CA, and keeps serving', async () => {
    const device = 'sensor-reefer-001';
    const secret = await issue(device);
    await assert.rejects(
      mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, {
        clientId: device,
        username: device,
        password: secret,
        reconnectPeriod: 0,
        connectTimeout: 5000,
      }),
      /self-signed certificate|unable to verify|certificate/i,
    );
    // Debian's system store does not hold our CA either.
    const pub = await mosquittoPub([
      ...['-h', '127.0.0.1', '-p', String(tlsPort), '--capath', '/etc/ssl/certs'],
      ...['-i', device, '-u', device, '-P', secret, '-t', deviceTelemetryTopic(device), '-m', '{}'],
    ]);
    assert.notEqual(pub.code, 0, 'mosquitto_pub without our CA must fail');
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, {
      ca: certs.ca,
      clientId: device,
      username: device,
      password: secret,
      reconnectPeriod: 0,
    });
    await client.endAsync(true);
  });
});

void describe('HTTPS for the API (HTTP_TLS_*)', () => {
  let certs: TestCertificates;
  let app: TestApp;

  before(async () => {
    certs = createTestCertificates();
    app = await startTestApp({
      env: { HTTP_TLS_CERT_FILE: certs.certFile, HTTP_TLS_KEY_FILE: certs.keyFile },
    });
  });
  after(async () => {
    await app.close();
    certs.remove();
  });

  void it('serves /health over HTTPS to a client trusting the CA, with HSTS', async () => {
    assert.match(app.httpUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await get(`${app.httpUrl}/health`, certs.ca);
    assert.equal(res.status, 200);
    assert.match(res.headers['strict-transport-security'] as string, /^max-age=\d{7,}/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  void it('refuses a client that does not trust the CA', async () => {
    await assert.rejects(
      get(`${app.httpUrl}/health`),
      /self-signed certificate|unable to verify|certificate/i,
    );
  });

  void it('does not answer plain HTTP on the HTTPS port', async () => {
    // Node's TLS server drops a plaintext request at the handshake: the client sees a reset.
    const plain = app.httpUrl.replace('https:', 'http:');
    await assert.rejects(get(`${plain}/health`), /socket hang up|ECONNRESET/);
  });
});
