import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startConvoi } from '#test/support/child-app.js';
import { waitFor } from '#test/support/wait-for.js';

type LogLine = Record<string, unknown>;

const DEVICE = 'sensor-reefer-001';
const CONTAINER = 'REEFER-001';
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

/**
 * convoi as an operator runs it under systemd, docker or Kubernetes: its standard output a pipe,
 * LOG_FORMAT unset. A full scenario (keys, a device's credential, readings, a rejection, an alert,
 * failed logins), then every line of its output is read as a log pipeline would.
 */
describe('JSON log lines of a full scenario (stdout a pipe)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'convoi-logs-'));
  const secrets: Record<string, string> = {
    CONVOI_ADMIN_KEY: `cv_${randomBytes(32).toString('base64url')}`,
    ALERT_WEBHOOK_SECRET: `hook-${randomBytes(24).toString('base64url')}`,
    MQTT_PASSWORD: `mqtt-${randomBytes(24).toString('base64url')}`,
    'wrong API key': `cv_${randomBytes(32).toString('base64url')}`,
    'wrong device secret': randomBytes(24).toString('base64url'),
  };
  let child: ChildProcess;
  let httpUrl: string;
  let mqttUrl: string;
  let stdout = '';
  let stderr = '';
  const lines = (): LogLine[] =>
    stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as LogLine;
        } catch {
          return { unparsed: l };
        }
      });
  const seen = (what: string, match: (l: LogLine) => boolean) =>
    waitFor(what, () => lines().find(match), 10_000);

  const api = async (path: string, key: string | null, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (key !== null) headers.set('authorization', `Bearer ${key}`);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    const res = await fetch(httpUrl + path, { ...init, headers });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
  };

  before(async () => {
    const started = await startConvoi({
      dataDir,
      stdout: 'pipe',
      env: {
        LOG_LEVEL: 'log',
        BROKER_ALLOW_ANONYMOUS: 'false',
        CONVOI_ADMIN_KEY: secrets['CONVOI_ADMIN_KEY'],
        ALERT_WEBHOOK_URLS: 'http://127.0.0.1:9/refused',
        ALERT_WEBHOOK_SECRET: secrets['ALERT_WEBHOOK_SECRET'],
        MQTT_USERNAME: 'convoi-consumer',
        MQTT_PASSWORD: secrets['MQTT_PASSWORD'],
      },
    });
    child = started.child;
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    httpUrl = `http://127.0.0.1:${started.httpPort}`;
    mqttUrl = `mqtt://127.0.0.1:${started.mqttPort}`;
  });
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the scenario: keys, a device credential, readings, a rejection, an alert, failed logins', async () => {
    const planner = await api('/api/v1/keys', secrets['CONVOI_ADMIN_KEY'], {
      method: 'POST',
      body: JSON.stringify({ name: 'planning', role: 'planner' }),
    });
    assert.equal(planner.status, 201);
    secrets['planner API key'] = planner.body.key as string;
    const issued = await api(`/api/v1/devices/${DEVICE}/credentials`, secrets['CONVOI_ADMIN_KEY'], {
      method: 'POST',
    });
    assert.equal(issued.status, 201);
    secrets['device secret'] = issued.body.secret as string;

    // A request id chosen by a proxy is kept; one that is not a plausible id is replaced.
    const traced = await api('/api/v1/containers', secrets['planner API key'], {
      headers: { 'x-request-id': 'proxy-4f1c.7' },
    });
    assert.equal(traced.status, 200);
    assert.equal(traced.headers.get('x-request-id'), 'proxy-4f1c.7');
    const replaced = await api('/api/v1/sites', secrets['planner API key'], {
      headers: { 'x-request-id': 'not an id; {"injected": true}' },
    });
    assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal((await api('/api/v1/devices', secrets['wrong API key'])).status, 401);
    // Refused by the router before any hook: still an id, and its line.
    const undecodable = await api('/api/v1/sites/%E0%A4%A', secrets['planner API key']);
    assert.equal(undecodable.status, 400);
    assert.match(undecodable.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const unknown = await api(
      `/api/v1/audit?cursor=${secrets['planner API key']}`,
      secrets['planner API key'],
    );
    assert.equal(unknown.status, 403);

    await assert.rejects(
      mqtt.connectAsync(mqttUrl, {
        clientId: DEVICE,
        username: DEVICE,
        password: secrets['wrong device secret'],
        reconnectPeriod: 0,
      }),
    );
    const device = await mqtt.connectAsync(mqttUrl, {
      clientId: DEVICE,
      username: DEVICE,
      password: secrets['device secret'],
      reconnectPeriod: 0,
    });
    try {
      const topic = deviceTelemetryTopic(DEVICE);
      await device.publishAsync(topic, JSON.stringify({ ts: Date.now(), temperature: 3.2 }), { qos: 1 });
      await device.publishAsync(topic, JSON.stringify({ ts: Date.now(), temperature: 'warm' }), { qos: 1 });
      await device.publishAsync(topic, JSON.stringify({ ts: Date.now() + 1, temperature: 3.3, battery: 5 }), {
        qos: 1,
      });
      await seen('the rejection logged', (l) => l.reason !== undefined && l.deviceId === DEVICE);
      await seen('the alert logged', (l) => l.alertId !== undefined && l.change === 'opened');
    } finally {
      await device.endAsync();
    }
    assert.equal((await api('/health/ready', null)).status, 200);

    child.kill('SIGTERM');
    await once(child, 'exit');
    assert.ok(lines().length > 20, 'the scenario was logged');
  });

  it('writes one JSON object a line, on every thread', () => {
    const unparsed = lines().filter((l) => 'unparsed' in l);
    assert.deepEqual(unparsed, [], 'every line is JSON');
    for (const line of lines()) {
      assert.equal(typeof line.msg, 'string', JSON.stringify(line));
      assert.match(String(line.level), /^(trace|debug|info|warn|error|fatal)$/);
      assert.match(String(line.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    assert.ok(
      lines().some((l) => l.thread === 'broker'),
      'the broker thread logs through the same JSON lines',
    );
  });

  it('writes no colour code to a pipe, from any thread', () => {
    assert.ok(stdout.includes('"thread":"broker"'), 'the broker thread wrote to the same pipe');
    assert.ok(!ANSI.test(stdout), 'no ANSI escape in stdout');
    assert.ok(!ANSI.test(stderr), 'no ANSI escape in stderr');
  });

  it('carries device, container, reason, topic, alert and request ids as fields', () => {
    const rejection = lines().find((l) => l.reason !== undefined && l.deviceId === DEVICE);
    assert.ok(rejection, 'a rejection line');
    assert.equal(rejection.topic, deviceTelemetryTopic(DEVICE));
    assert.equal(rejection.context, 'Ingestion');
    assert.equal(rejection.level, 'warn');
    const alert = lines().find((l) => l.alertId !== undefined && l.change === 'opened');
    assert.ok(alert, 'an alert line');
    assert.equal(alert.containerId, CONTAINER);
    assert.equal(alert.deviceId, DEVICE);
    assert.equal(alert.rule, 'battery-low');

    const http = lines().filter((l) => l.context === 'Http');
    const traced = http.find((l) => l.requestId === 'proxy-4f1c.7');
    assert.ok(traced, 'the chosen request id is on its line');
    assert.deepEqual([traced.method, traced.path, traced.statusCode], ['GET', '/api/v1/containers', 200]);
    assert.ok(
      http.every((l) => typeof l.requestId === 'string' && l.requestId !== ''),
      'every HTTP line has a request id',
    );
    assert.ok(
      http.some((l) => l.statusCode === 401),
      'failed logins are logged, by status',
    );
  });

  it('shows no secret anywhere in what convoi wrote', () => {
    const written = stdout + stderr;
    const leaks: string[] = [];
    for (const [name, secret] of Object.entries(secrets)) {
      assert.ok(secret.length >= 24, `${name} is a real secret`);
      for (const needle of [secret, secret.slice(-16)]) if (written.includes(needle)) leaks.push(name);
    }
    assert.deepEqual([...new Set(leaks)], []);
  });
});
