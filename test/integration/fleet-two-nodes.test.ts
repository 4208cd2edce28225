import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContainerSites } from '#src/fleet/container-sites.service.js';
import { DeviceDirectory } from '#src/fleet/device-directory.service.js';
import { FleetChanges } from '#src/fleet/fleet-changes.service.js';
import { FleetRepository } from '#src/fleet/fleet.repository.js';
import { JourneySites } from '#src/journeys/journey-sites.service.js';
import { LISTENER_APPLICATION } from '#src/storage/store-notifications.js';
import { withClient } from '#test/support/postgres.js';
import { nodesOnOnePostgres } from '#test/support/nodes-on-postgres.js';
import { waitFor } from '#test/support/wait-for.js';

const json = (method: string, body: unknown) => ({ method, body: JSON.stringify(body) });

/**
 * Two nodes on one PostgreSQL: each keeps the fleet's indexes in memory for its readings, so a
 * planner's change through one node must reach the other's (LISTEN/NOTIFY, FleetChanges).
 */
describe(`the fleet on two nodes sharing one PostgreSQL (${FleetChanges.name})`, () => {
  const nodes = nodesOnOnePostgres(2);

  it('a site, container, device and binding made through one node reach the other’s ingestion indexes', async () => {
    const [a, b] = nodes;
    const directoryOfB = b.running.app.get(DeviceDirectory);
    const sitesOfB = b.running.app.get(ContainerSites);
    const journeySitesOfB = b.running.app.get(JourneySites);
    const site = {
      id: 'TWO-SITE',
      name: 'Two',
      kind: 'hub',
      lat: 45,
      lon: 5,
      geofence: { type: 'circle', radiusM: 300 },
    };
    assert.equal((await a.request('/api/v1/sites', json('POST', site))).status, 201);
    const container = { id: 'TWO-C', kind: 'reefer', label: 'two', siteId: 'TWO-SITE' };
    assert.equal((await a.request('/api/v1/containers', json('POST', container))).status, 201);
    const device = { id: 'two-dev', format: 'chirpstack', devEui: '70b3d57ed00002aa' };
    assert.equal((await a.request('/api/v1/devices', json('POST', device))).status, 201);
    const bound = await a.request('/api/v1/devices/two-dev/bind', json('POST', { containerId: 'TWO-C' }));
    assert.equal(bound.status, 200, JSON.stringify(bound.body));

    await waitFor('B knows the site', () => journeySitesOfB.find('TWO-SITE') !== undefined);
    await waitFor('B knows the container’s home site', () => sitesOfB.siteOf('TWO-C') === 'TWO-SITE');
    await waitFor(
      'B knows the device by DevEUI',
      () => directoryOfB.byDevEui('70B3D57ED00002AA')?.id === 'two-dev',
    );
    await waitFor(
      'B attributes the device to its container',
      () => directoryOfB.containerAt('two-dev', Date.now()) === 'TWO-C',
    );

    // B's REST keeps the container it read; A's change of it reaches B's next read.
    const before = await b.request('/api/v1/containers/TWO-C');
    assert.equal(before.body.label, 'two');
    const relabelled = await a.request('/api/v1/containers/TWO-C', {
      ...json('PATCH', { label: 'two relabelled' }),
      headers: { 'if-match': before.headers.get('etag') ?? '' },
    });
    assert.equal(relabelled.status, 200, JSON.stringify(relabelled.body));
    await waitFor(
      'B reads the new label',
      async () => (await b.request('/api/v1/containers/TWO-C')).body.label === 'two relabelled',
    );

    // Unbound through B this time: A follows.
    assert.equal((await b.request('/api/v1/devices/two-dev/unbind', json('POST', {}))).status, 200);
    const directoryOfA = a.running.app.get(DeviceDirectory);
    await waitFor(
      'A sees the unbind',
      () => directoryOfA.containerAt('two-dev', Date.now() + 1000) === undefined,
    );
  });

  it('a large import through one node makes the other rebuild its indexes', async () => {
    const [a, b] = nodes;
    const containers = Array.from({ length: 600 }, (_, i) => ({
      id: `TWO-BULK-${i}`,
      kind: 'pallet',
      label: `${i}`,
      siteId: 'DC-LYON-SQF',
    }));
    const imported = await a.request(
      '/api/v1/admin/import',
      json('POST', { sites: [], containers, devices: [] }),
    );
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    const sitesOfB = b.running.app.get(ContainerSites);
    await waitFor('B knows every imported container’s site', () =>
      containers.every((c) => sitesOfB.siteOf(c.id) === 'DC-LYON-SQF'),
    );
  });

  it('a node that lost its listening session reads the fleet again once it listens again', async () => {
    const [a, b] = nodes;
    // B keeps every container it knows (its registry loaded at start); this one it has read.
    const kept = { id: 'TWO-KEPT', kind: 'reefer', label: 'kept', siteId: 'DC-LYON-SQF' };
    assert.equal((await a.request('/api/v1/containers', json('POST', kept))).status, 201);
    await waitFor(
      'B reads the new container',
      async () => (await b.request('/api/v1/containers/TWO-KEPT')).status === 200,
    );
    // Every node's listening session ends: a change made before they listen again is missed.
    await withClient(a.config.DATABASE_URL!, (c) =>
      c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
        LISTENER_APPLICATION,
      ]),
    );
    const container = { id: 'TWO-MISSED', kind: 'reefer', label: 'm', siteId: 'DC-LYON-SQF' };
    assert.equal((await a.request('/api/v1/containers', json('POST', container))).status, 201);
    const sitesOfB = b.running.app.get(ContainerSites);
    const relabelled = await a.request('/api/v1/containers/TWO-KEPT', {
      ...json('PATCH', { label: 'changed unheard' }),
      headers: { 'if-match': (await a.request('/api/v1/containers/TWO-KEPT')).headers.get('etag') ?? '' },
    });
    assert.equal(relabelled.status, 200, JSON.stringify(relabelled.body));
    await waitFor('B rebuilt its indexes', () => sitesOfB.siteOf('TWO-MISSED') === 'DC-LYON-SQF');
    const fleetOfB = b.running.app.get(FleetRepository);
    await fleetOfB.containersLoaded();
    assert.equal((await b.request('/api/v1/containers/TWO-KEPT')).body.label, 'changed unheard');
    assert.equal((await b.request('/api/v1/containers/TWO-MISSED')).body.label, 'm');
  });
});
