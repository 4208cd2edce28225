import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { ShipmentExportService } from '#src/exports/shipment-export.service.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { TelemetryDatabase } from '#src/telemetry/embedded/telemetry-database.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

describe(ShipmentExportService.name, () => {
  let app: TestApp;
  let shipmentId: string;
  let planner: string;
  const t0 = Date.now() - 10 * 60_000;

  before(async () => {
    app = await startTestApp();
    planner = (
      await app.request('/api/v1/keys', {
        method: 'POST',
        body: JSON.stringify({ name: 'qm', role: 'planner' }),
      })
    ).body.key;
    const created = await app.request('/api/v1/shipments', {
      method: 'POST',
      key: planner,
      body: JSON.stringify({
        containerId: 'REEFER-001',
        originSiteId: 'DC-LYON-SQF',
        destinationSiteId: 'HM-PARIS-VILLIERS',
        profileId: 'chilled-4',
        plannedDeparture: new Date(t0 - 60_000).toISOString(),
        plannedArrival: new Date(t0 + 3_600_000).toISOString(),
        carrier: 'Transports, "Martin"',
      }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    shipmentId = created.body.id;
    const device = await app.mqtt();
    for (let i = 0; i < 3; i++) {
      const reading = { ts: t0 + i * 60_000, temperature: 3 + i, lat: 45.64, lon: 5.11 };
      await device.publishAsync(deviceTelemetryTopic('sensor-reefer-001'), JSON.stringify(reading), {
        qos: 1,
      });
    }
    const db = app.running.app.get(SqliteDatabase).connection;
    const series = app.running.app.get(TelemetryDatabase).connection;
    await waitFor(
      'readings stored',
      () =>
        series.prepare('SELECT COUNT(*) FROM readings WHERE shipment_id = ?').pluck().get(shipmentId) === 3,
    );
    db.prepare(
      `INSERT INTO alerts (id, container_id, shipment_id, rule_id, rule_kind, severity, status, opened_at, last_seen_at, count, message)
       VALUES ('EXP-ALERT', 'REEFER-001', ?, 'temperature-high', 'threshold', 'warning', 'active', ?, ?, 1, 'warm')`,
    ).run(shipmentId, t0, t0);
    const ack = await app.request('/api/v1/alerts/EXP-ALERT/acknowledge', {
      method: 'POST',
      key: planner,
      body: '{}',
    });
    assert.equal(ack.status, 200);
  });
  after(() => app.close());

  it('exports the shipment, its record, readings, alerts with history and audit entries as JSON', async () => {
    const res = await app.request(`/api/v1/shipments/${shipmentId}/export`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const doc = res.body;
    assert.equal(doc.format, 'convoi.shipment-export/1');
    assert.equal(doc.shipment.id, shipmentId);
    assert.deepEqual(
      doc.readings.map((r: { temperatureC: number }) => r.temperatureC),
      [3, 4, 5],
    );
    assert.equal(doc.record.shipmentId, shipmentId);
    assert.equal(doc.record.temperature.maxC, 5);
    assert.ok(doc.record.assumptions.length > 0);
    assert.equal(doc.alerts.length, 1);
    assert.deepEqual(
      doc.alerts[0].history.map((h: { change: string; by: string }) => [h.change, h.by]),
      [['acknowledged', 'qm']],
    );
    assert.deepEqual(
      doc.audit.map((e: { action: string; actor: string }) => [e.action, e.actor]),
      [['shipment.create', 'qm']],
    );
  });

  it('exports the readings as CSV, and records each export in the audit log', async () => {
    const res = await fetch(`${app.httpUrl}/api/v1/shipments/${shipmentId}/export?format=csv`, {
      headers: { authorization: `Bearer ${app.adminKey}` },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0], /^measured_at,received_at,device_id,temperature_c/);
    assert.match(lines[1], new RegExp(`^${new Date(t0).toISOString()},[^,]+,sensor-reefer-001,3,`));
    const audit = await app.request(`/api/v1/audit?action=shipment.export&target=${shipmentId}`);
    assert.equal(audit.body.items.length, 2);
  });

  it('is for admins only, and answers 404 for an unknown shipment', async () => {
    assert.equal((await app.request(`/api/v1/shipments/${shipmentId}/export`, { key: planner })).status, 403);
    assert.equal((await app.request('/api/v1/shipments/NO-SUCH/export')).status, 404);
  });
});
