import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';
import { startAppOnStore, type AppOnStore } from '#test/support/app-on-store.js';

const HOUR_MS = 3_600_000;

/** The journey REST reads on each operational store: events a shipment's transitions wrote, read back at once. */
for (const dialect of STORE_DIALECTS) {
  describe(`journey events over REST (${dialect})`, () => {
    let node: AppOnStore;
    before(async () => {
      node = await startAppOnStore(dialect);
    });
    after(() => node?.close());

    it('serves the events of a shipment’s transitions by shipment and by container, and the KPIs', async () => {
      const { app } = node;
      const now = Date.now();
      const created = await app.request('/api/v1/shipments', {
        method: 'POST',
        body: JSON.stringify({
          containerId: 'PAL-7001',
          originSiteId: 'DC-PARIS-RUNGIS',
          destinationSiteId: 'HM-LILLE-V2',
          profileId: 'chilled-4',
          plannedDeparture: new Date(now - 2 * HOUR_MS).toISOString(),
          plannedArrival: new Date(now + 2 * HOUR_MS).toISOString(),
        }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id as string;
      for (const status of ['in_transit', 'arrived']) {
        const moved = await app.request(`/api/v1/shipments/${id}/status`, {
          method: 'POST',
          body: JSON.stringify({ status }),
        });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
      }
      // No wait: a read first waits for this node's queued events.
      const byShipment = await app.request(`/api/v1/shipments/${id}/journey`);
      assert.equal(byShipment.status, 200);
      const events = byShipment.body.events as { type: string; containerId: string }[];
      assert.ok(events.length >= 2, JSON.stringify(events));
      assert.ok(events.every((e) => e.containerId === 'PAL-7001'));
      const from = new Date(now - HOUR_MS).toISOString();
      const byContainer = await app.request(`/api/v1/containers/PAL-7001/journey?from=${from}`);
      assert.equal(byContainer.status, 200);
      assert.deepEqual(byContainer.body.events, events);
      assert.equal((await app.request(`/api/v1/fleet/kpis?from=${from}`)).status, 200);
      assert.equal((await app.request(`/api/v1/containers/PAL-7001/kpis?from=${from}`)).status, 200);
    });
  });
}
