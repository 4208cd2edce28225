import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActiveShipments } from '#src/fleet/active-shipments.service.js';
import { nodesOnOnePostgres } from '#test/support/nodes-on-postgres.js';
import { waitFor } from '#test/support/wait-for.js';

/**
 * Two nodes on one PostgreSQL, as an api node and a processor of a cluster: each keeps the active
 * shipments in memory for its readings (ShipmentWriter, ActiveShipments), so a shipment created,
 * started or cancelled through one node must reach the other's memory, not wait for its restart.
 */
describe('shipments on two nodes sharing one PostgreSQL', () => {
  const nodes = nodesOnOnePostgres(2);

  it('a shipment created, then cancelled, through one node is on, then off, the other’s readings', async () => {
    const [a, b] = nodes;
    const onB = b.running.app.get(ActiveShipments);
    assert.equal(onB.of('REEFER-001'), undefined);
    const created = await a.request('/api/v1/shipments', {
      method: 'POST',
      body: JSON.stringify({
        containerId: 'REEFER-001',
        originSiteId: 'DC-LYON-SQF',
        destinationSiteId: 'HM-PARIS-VILLIERS',
        profileId: 'chilled-4',
        plannedDeparture: '2026-11-22T06:00:00Z',
        plannedArrival: '2026-11-22T12:30:00Z',
      }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    await waitFor('the shipment in B’s memory', () => onB.of('REEFER-001') === id, 2000, 10);
    assert.deepEqual(onB.get('REEFER-001'), { shipmentId: id, profileId: 'chilled-4' });

    const cancelled = await a.request(`/api/v1/shipments/${id}/status`, {
      method: 'POST',
      body: JSON.stringify({ status: 'cancelled' }),
    });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    await waitFor('the cancellation in B’s memory', () => onB.of('REEFER-001') === undefined, 2000, 10);
  });
});
