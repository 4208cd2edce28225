import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LoggerService } from '@nestjs/common';
import { PlatformCredential } from '#src/broker/platform-credential.js';
import { DeviceCredentialStore } from '#src/broker/auth/device-credential.store.js';
import { SECRET_CONFIG_KEYS } from '#src/app-settings.js';
import { loadConfig } from '#src/app-settings.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { startTestApp, type TestApp, type TestRequestInit } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

/** Everything convoi said or served during the scenario, by channel. */
const captured: Record<'log' | 'stdio' | 'http' | 'metrics' | 'audit' | 'openapi' | 'database', string[]> = {
  log: [],
  stdio: [],
  http: [],
  metrics: [],
  audit: [],
  openapi: [],
  database: [],
};

const text = (args: unknown[]): string =>
  args
    .map((a) =>
      a instanceof Error ? `${a.message} ${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a),
    )
    .join(' ');

/** Receives every Nest log call of every level. */
const capturingLogger: LoggerService = {
  log: (...a: unknown[]) => void captured.log.push(text(a)),
  error: (...a: unknown[]) => void captured.log.push(text(a)),
  warn: (...a: unknown[]) => void captured.log.push(text(a)),
  debug: (...a: unknown[]) => void captured.log.push(text(a)),
  verbose: (...a: unknown[]) => void captured.log.push(text(a)),
  fatal: (...a: unknown[]) => void captured.log.push(text(a)),
};

describe('secrets never leak', () => {
  let app: TestApp;
  const secrets: Record<string, string> = {
    'MQTT_PASSWORD (config)': `mqtt-${randomBytes(24).toString('base64url')}`,
    'INFLUX_TOKEN (config)': `influx-${randomBytes(24).toString('base64url')}`,
    'ALERT_WEBHOOK_SECRET (config)': `hook-${randomBytes(24).toString('base64url')}`,
    'wrong API key (failed login)': `cv_${randomBytes(32).toString('base64url')}`,
    'wrong device secret (failed MQTT login)': randomBytes(24).toString('base64url'),
  };
  const originals = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  };

  before(async () => {
    // Anything written to the process streams (a stray console call, a library) is captured too.
    process.stdout.write = (chunk: string | Uint8Array, ...rest: never[]) => {
      captured.stdio.push(String(chunk));
      return originals.out(chunk, ...rest);
    };
    process.stderr.write = (chunk: string | Uint8Array, ...rest: never[]) => {
      captured.stdio.push(String(chunk));
      return originals.err(chunk, ...rest);
    };
    app = await startTestApp({
      logger: capturingLogger,
      env: {
        LOG_LEVEL: 'verbose',
        BROKER_ALLOW_ANONYMOUS: 'false',
        MQTT_PASSWORD: secrets['MQTT_PASSWORD (config)'],
        INFLUX_TOKEN: secrets['INFLUX_TOKEN (config)'],
        ALERT_WEBHOOK_URLS: 'http://127.0.0.1:9/refused',
        ALERT_WEBHOOK_SECRET: secrets['ALERT_WEBHOOK_SECRET (config)'],
      },
    });
    secrets['CONVOI_ADMIN_KEY'] = app.adminKey;
    secrets['platform MQTT password'] = app.running.app.get(PlatformCredential).password;
  });
  after(async () => {
    process.stdout.write = originals.out;
    process.stderr.write = originals.err;
    await app?.close();
  });

  /** A request whose whole answer (status, headers, body) is captured. */
  const call = async (path: string, init?: TestRequestInit) => {
    const res = await app.request(path, init);
    captured.http.push(JSON.stringify({ status: res.status, headers: [...res.headers], body: res.body }));
    return res;
  };
  const post = (path: string, body: unknown, key?: string | null) =>
    call(path, { method: 'POST', body: JSON.stringify(body), ...(key !== undefined && { key }) });

  it('runs a full scenario: keys, devices, credentials, readings, alerts and errors', async () => {
    // The creation answer is the one place a key is shown (once, by design): not captured.
    const createKey = (name: string, role: string) =>
      app.request('/api/v1/keys', { method: 'POST', body: JSON.stringify({ name, role }) });
    const planner = await createKey('planning', 'planner');
    const viewer = await createKey('screens', 'viewer');
    const revoked = await createKey('old-script', 'planner');
    secrets['planner API key'] = planner.body.key;
    secrets['viewer API key'] = viewer.body.key;
    secrets['revoked API key'] = revoked.body.key;
    await call(`/api/v1/keys/${revoked.body.id}`, { method: 'DELETE' });

    // Devices and their MQTT credentials (the store hashes them; the secret is shown once).
    await post('/api/v1/devices', { id: 'SECRET-DEV-1', format: 'json' }, secrets['planner API key']);
    await post(
      '/api/v1/devices/SECRET-DEV-1/bind',
      { containerId: 'REEFER-002' },
      secrets['planner API key'],
    );
    const credentials = app.running.app.get(DeviceCredentialStore);
    secrets['device secret (issued)'] = await credentials.issue('SECRET-DEV-1');
    secrets['device secret (rotated)'] = await credentials.rotate('SECRET-DEV-1');

    // Failed logins: REST with a wrong, a revoked and a malformed key; MQTT with wrong secrets.
    assert.equal(
      (await call('/api/v1/devices', { key: secrets['wrong API key (failed login)'] })).status,
      401,
    );
    assert.equal((await call('/api/v1/devices', { key: secrets['revoked API key'] })).status, 401);
    await call('/api/v1/devices', {
      headers: { authorization: `Basic ${secrets['planner API key']}` },
      key: null,
    });
    assert.equal((await call('/api/v1/audit', { key: secrets['viewer API key'] })).status, 403);
    for (const password of [
      secrets['wrong device secret (failed MQTT login)'],
      secrets['device secret (issued)'],
    ]) {
      await assert.rejects(app.mqtt({ username: 'SECRET-DEV-1', clientId: 'SECRET-DEV-1', password }));
    }

    // Readings from the device (the platform credential may not publish telemetry), then a bad
    // payload and an invalid one.
    secrets['device secret (sensor)'] = await credentials.issue('sensor-reefer-001');
    const mqtt = await app.mqtt({
      clientId: 'sensor-reefer-001',
      username: 'sensor-reefer-001',
      password: secrets['device secret (sensor)'],
    });
    const topic = deviceTelemetryTopic('sensor-reefer-001');
    await mqtt.publishAsync(topic, JSON.stringify({ ts: Date.now(), temperature: 3.2 }), { qos: 1 });
    await mqtt.publishAsync(topic, '{"temperature": 4.5', { qos: 1 });
    await mqtt.publishAsync(topic, JSON.stringify({ ts: Date.now(), temperature: 'warm' }), { qos: 1 });
    await waitFor('bad payloads rejected', async () => {
      const res = await call('/api/v1/rejections');
      return res.status === 200 && JSON.stringify(res.body).includes('sensor-reefer-001');
    });

    // Errors of every kind over REST: validation, not found, conflict, an invalid cursor.
    await post('/api/v1/devices', { id: 'bad id', format: 'nope', secret: secrets['planner API key'] });
    await call('/api/v1/devices/NO-SUCH-DEVICE');
    await post('/api/v1/devices', { id: 'SECRET-DEV-1', format: 'json' });
    await call(`/api/v1/audit?cursor=${secrets['viewer API key']}`);

    // An alert acknowledged: the change goes to the (refused) signed webhook.
    app.running.app
      .get(SqliteDatabase)
      .connection.prepare(
        `INSERT INTO alerts (id, container_id, rule_id, rule_kind, severity, status, opened_at, last_seen_at, count, message)
         VALUES ('SECRET-ALERT', 'REEFER-001', 'temperature-high', 'threshold', 'critical', 'active', ?, ?, 1, 'warm')`,
      )
      .run(Date.now(), Date.now());
    await post('/api/v1/alerts/SECRET-ALERT/acknowledge', { note: 'seen' }, secrets['planner API key']);
    await call('/api/v1/admin/webhooks/deliveries');

    captured.metrics.push(String((await call('/metrics')).body));
    captured.audit.push(JSON.stringify((await call('/api/v1/audit?limit=500')).body));
    captured.openapi.push(JSON.stringify((await call('/api/docs.json', { key: null })).body));
    // Every file under DATA_DIR, the broker inbox's segments included.
    for (const entry of readdirSync(app.dataDir, { recursive: true, withFileTypes: true }))
      if (entry.isFile())
        captured.database.push(readFileSync(join(entry.parentPath, entry.name)).toString('latin1'));

    // The capture works: it holds what the scenario did.
    assert.ok(
      captured.log.some((l) => l.includes('sensor-reefer-001')),
      'the rejection was logged',
    );
    assert.ok(captured.audit[0].includes('key.revoke'), 'the audit log was read');
    assert.match(captured.metrics[0], /convoi_ingest_rejected_total/);
  });

  it('finds no secret in any log line, stream, HTTP answer, metric, audit entry, OpenAPI document or file', () => {
    assert.ok(Object.keys(secrets).length >= 12);
    const leaks: string[] = [];
    for (const [name, secret] of Object.entries(secrets)) {
      assert.ok(secret.length >= 24, `${name} is a real secret`);
      // The whole secret, and its last 16 characters (a cut or prefixed print still leaks).
      for (const needle of [secret, secret.slice(-16)]) {
        for (const [channel, items] of Object.entries(captured)) {
          for (const item of items) if (item.includes(needle)) leaks.push(`${name} in ${channel}`);
        }
      }
    }
    assert.deepEqual([...new Set(leaks)], []);
  });

  it('masks secret configuration values in configuration errors', () => {
    const bad = `short!${randomBytes(8).toString('hex')}`;
    assert.throws(
      () => loadConfig({ CONVOI_ADMIN_KEY: bad, ALERT_WEBHOOK_SECRET: 'tiny-secret-1234'.slice(0, 15) }),
      (error: Error) => {
        assert.match(error.message, /CONVOI_ADMIN_KEY="\*\*\*"/);
        assert.match(error.message, /ALERT_WEBHOOK_SECRET="\*\*\*"/);
        assert.ok(!error.message.includes(bad) && !error.message.includes('tiny-secret'));
        return true;
      },
    );
    for (const key of ['MQTT_PASSWORD', 'INFLUX_TOKEN', 'CONVOI_ADMIN_KEY', 'ALERT_WEBHOOK_SECRET'] as const)
      assert.ok(SECRET_CONFIG_KEYS.has(key), `${key} is masked`);
  });
});
