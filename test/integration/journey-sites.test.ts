import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JourneySites } from '#src/journeys/journey-sites.service.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';

/** The journey sees a site written through the API from the next fix on (no refresh period). */
describe('journey sites', () => {
  let app: TestApp;
  let sites: JourneySites;
  const KIOSK = { lat: 47.3, lon: 5.05 };

  before(async () => {
    app = await startTestApp();
    sites = app.running.app.get(JourneySites);
  });
  after(() => app.close());

  const near = () =>
    sites
      .grid()
      .candidates(KIOSK, {})
      .map((i) => sites.grid().sites[i].id);
  const json = (method: string, body: unknown, headers?: Record<string, string>) => ({
    method,
    body: JSON.stringify(body),
    headers,
  });

  it('follows creation, a moved geofence, deletion and an import at once', async () => {
    assert.deepEqual(near(), []);
    const site = { id: 'KIOSK-DIJON', name: 'Kiosk', kind: 'supermarket', ...KIOSK };
    const created = await app.request(
      '/api/v1/sites',
      json('POST', { ...site, geofence: { type: 'circle', radiusM: 80 } }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(near(), ['KIOSK-DIJON']);
    const moved = await app.request(
      '/api/v1/sites/KIOSK-DIJON',
      json('PATCH', { lat: 43.3, lon: 5.4 }, { 'if-match': created.headers.get('etag')! }),
    );
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.deepEqual(near(), []);
    const gone = await app.request('/api/v1/sites/KIOSK-DIJON', {
      method: 'DELETE',
      headers: { 'if-match': moved.headers.get('etag')! },
    });
    assert.equal(gone.status, 204);
    assert.equal(sites.find('KIOSK-DIJON'), undefined);
    const imported = await app.request(
      '/api/v1/admin/import',
      json('POST', {
        sites: [{ ...site, geofence: { type: 'circle', radiusM: 80 } }],
        containers: [],
        devices: [],
      }),
    );
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.deepEqual(near(), ['KIOSK-DIJON']);
  });
});
