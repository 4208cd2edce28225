import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

/** Seeded by config/fleet.example.json: the device is bound to the container. */
const DEVICE = 'sensor-reefer-001';
const CONTAINER = 'REEFER-001';

describe('conditional GET (ETag, If-None-Match) on resources with live state', () => {
  let app: TestApp;
  let device: MqttClient;

  before(async () => {
    app = await startTestApp();
    device = await app.mqtt({ clientId: DEVICE });
  });
  after(() => app.close());

  const publish = (reading: Record<string, unknown>) =>
    device.publishAsync(
      deviceTelemetryTopic(DEVICE),
      JSON.stringify({ ts: new Date().toISOString(), ...reading }),
      { qos: 1 },
    );

  /** Polls with `If-None-Match: etag` until the answer is a 200 that `fresh` accepts. */
  const changedSince = (path: string, etag: string, fresh: (body: any) => boolean) =>
    waitFor(
      `${path} answers 200 with a new body to If-None-Match ${etag}`,
      async () => {
        const res = await app.request(path, { headers: { 'if-none-match': etag } });
        return res.status === 200 && fresh(res.body) ? res : undefined;
      },
      3000,
    );

  it('GET /containers/{id}: a new reading gives a new ETag, and If-None-Match the new value', async () => {
    const path = `/api/v1/containers/${CONTAINER}`;
    await publish({ temperature: 3.1 });
    const first = await waitFor('first reading in live state', async () => {
      const res = await app.request(path);
      return res.body.live?.values?.temperatureC?.value === 3.1 ? res : undefined;
    });
    const before = first.headers.get('etag')!;
    assert.equal((await app.request(path, { headers: { 'if-none-match': before } })).status, 304);

    await publish({ temperature: 4.2 });
    const now = await changedSince(path, before, (b) => b.live?.values?.temperatureC?.value === 4.2);
    const etag = now.headers.get('etag')!;
    assert.notEqual(etag, before);
    assert.equal((await app.request(path, { headers: { 'if-none-match': etag } })).status, 304);
  });

  it('If-Match on an update still takes the ETag of a read made before new readings', async () => {
    const path = `/api/v1/containers/${CONTAINER}`;
    const read = await app.request(path);
    const etag = read.headers.get('etag')!;
    await publish({ temperature: 5.3 });
    await changedSince(path, etag, (b) => b.live?.values?.temperatureC?.value === 5.3);
    const patch = (notes: string) =>
      app.request(path, {
        method: 'PATCH',
        headers: { 'if-match': etag },
        body: JSON.stringify({ notes }),
      });
    const patched = await patch('checked');
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.notes, 'checked');
    // The edit made a new version: the tag read before it is now stale.
    assert.equal((await patch('again')).status, 412);
  });

  it('GET /shipments/{id}: a new position gives a new ETag and the new position', async () => {
    const created = await app.request('/api/v1/shipments', {
      method: 'POST',
      body: JSON.stringify({
        containerId: CONTAINER,
        originSiteId: 'DC-LYON-SQF',
        destinationSiteId: 'HM-PARIS-VILLIERS',
        profileId: 'chilled-4',
        plannedDeparture: new Date(Date.now() + 3_600_000).toISOString(),
        plannedArrival: new Date(Date.now() + 9 * 3_600_000).toISOString(),
      }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const path = `/api/v1/shipments/${created.body.id as string}`;
    await publish({ lat: 45.9, lon: 4.9 });
    const first = await waitFor('first position in the journey', async () => {
      const res = await app.request(path);
      return res.body.journey?.position?.lat === 45.9 ? res : undefined;
    });
    const before = first.headers.get('etag')!;

    await publish({ lat: 46.3, lon: 4.8 });
    const now = await changedSince(path, before, (b) => b.journey?.position?.lat === 46.3);
    assert.notEqual(now.headers.get('etag'), before);
    assert.equal(now.body.journey.position.lon, 4.8);
  });
});
