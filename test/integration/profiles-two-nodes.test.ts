import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROFILES_REFRESH_MS, ProfilesService } from '#src/profiles/profiles.service.js';
import { nodesOnOnePostgres } from '#test/support/nodes-on-postgres.js';
import { waitFor } from '#test/support/wait-for.js';

/**
 * Two nodes on one PostgreSQL: each keeps every profile in memory for its readings' rules, so a
 * planner's change through one node must reach the other's memory (its periodic read).
 */
describe(`profiles on two nodes sharing one PostgreSQL (${ProfilesService.name})`, () => {
  const nodes = nodesOnOnePostgres(2);

  it('a profile created or changed through one node reaches the other’s memory', async () => {
    const [a, b] = nodes;
    const memoryOfA = a.running.app.get(ProfilesService);
    const created = await b.request('/api/v1/profiles', {
      method: 'POST',
      body: JSON.stringify({
        id: 'shared-1',
        name: 'Shared',
        basedOn: 'chilled-4',
        temperature: { maxC: 5 },
      }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // REST reads ask the store: at once; so does a shipment naming it, which A then remembers.
    assert.equal((await a.request('/api/v1/profiles/shared-1')).status, 200);
    const shipment = await a.request('/api/v1/shipments', {
      method: 'POST',
      body: JSON.stringify({
        containerId: 'REEFER-001',
        originSiteId: 'DC-LYON-SQF',
        destinationSiteId: 'HM-PARIS-VILLIERS',
        profileId: 'shared-1',
        plannedDeparture: '2026-11-22T06:00:00Z',
        plannedArrival: '2026-11-22T12:30:00Z',
      }),
    });
    assert.equal(shipment.status, 201, JSON.stringify(shipment.body));
    assert.equal(memoryOfA.require('shared-1').temperature.maxC, 5);

    const patched = await b.request('/api/v1/profiles/shared-1', {
      method: 'PATCH',
      headers: { 'if-match': created.headers.get('etag') ?? '' },
      body: JSON.stringify({ temperature: { maxC: 6 } }),
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const waitMs = 2 * PROFILES_REFRESH_MS;
    await waitFor(
      'the change in A’s memory',
      () => memoryOfA.require('shared-1').temperature.maxC === 6,
      waitMs,
    );
  });
});
