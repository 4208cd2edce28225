import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

/** The warehouse of the example fleet (config/fleet.example.json), geofence radius 400 m. */
const WAREHOUSE = { lat: 45.6418, lon: 5.1135 };
const MIN = 60_000;

describe('GET /fleet/kpis over a fleet of 7 containers', () => {
  let app: TestApp;

  before(async () => {
    app = await startTestApp();
    // The example fleet has 5 containers; two more, which never report, make 7.
    for (const id of ['KPI-EXTRA-1', 'KPI-EXTRA-2']) {
      const res = await app.request('/api/v1/containers', {
        method: 'POST',
        body: JSON.stringify({ id, kind: 'roll-cage', label: id }),
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
  });
  after(() => app.close());

  /** The device's fixes: 3 minutes inside the warehouse, then 3 minutes 5 km away (it left). */
  const leaveWarehouse = async (deviceId: string) => {
    const client = await app.mqtt({ clientId: deviceId });
    const start = Date.now() - 20 * MIN;
    const fixes = [0, 1, 2].map((i) => ({ ts: start + i * MIN, ...WAREHOUSE }));
    fixes.push(
      ...[3, 4, 5].map((i) => ({ ts: start + i * MIN, lat: WAREHOUSE.lat + 0.045, lon: WAREHOUSE.lon })),
    );
    await client.publishAsync(deviceTelemetryTopic(deviceId), JSON.stringify(fixes), { qos: 1 });
  };

  it('counts the fleet in `containers` and the containers seen at sites apart', async () => {
    const before = await app.request('/api/v1/fleet/kpis');
    assert.equal(before.status, 200);
    assert.equal(before.body.containers, 7, 'every registered container');
    assert.equal(before.body.containersSeenAtSites, 0);

    await leaveWarehouse('sensor-reefer-001');
    await leaveWarehouse('sensor-reefer-002');
    const kpis = await waitFor('two containers seen at sites', async () => {
      const res = await app.request('/api/v1/fleet/kpis');
      return res.body.containersSeenAtSites === 2 ? res.body : undefined;
    });
    assert.equal(kpis.containers, 7, 'still the whole fleet, not the 2 that crossed a geofence');
    assert.ok(kpis.minutesBySiteKind.warehouse > 0, JSON.stringify(kpis));
  });

  it('documents every field of the answer in the OpenAPI document', async () => {
    const doc = (await app.request('/api/docs.json', { key: null })).body;
    const ok = doc.paths['/api/v1/fleet/kpis'].get.responses['200'].content['application/json'].schema;
    const schema = doc.components.schemas[(ok.$ref as string).split('/').pop()!];
    const body = (await app.request('/api/v1/fleet/kpis')).body;
    for (const field of Object.keys(body)) {
      assert.ok(schema.properties[field]?.description, `${field} is described`);
    }
    assert.match(schema.properties.containers.description, /registered/);
    assert.match(schema.properties.containersSeenAtSites.description, /geofence/);
  });
});
