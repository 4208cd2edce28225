import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachStore } from '#test/support/store-dialects.js';
import { openFleetStore } from '#test/support/fleet-store.js';
import { ContainerSites } from './container-sites.service.js';

describeEachStore(ContainerSites.name, (current) => {
  it('refreshes one container as a reload of all of them would find it', async () => {
    const { fleet, seed } = await openFleetStore(current().store);
    await seed({
      sites: ['S1', 'S2'].map((id) => ({
        id,
        name: id,
        kind: 'warehouse' as const,
        lat: 45,
        lon: 5,
        geofence: { type: 'circle' as const, radiusM: 300 },
      })),
    });
    const refreshed = new ContainerSites(fleet);
    await refreshed.onModuleInit();
    const writes: [string, string | undefined][] = [
      ['C1', 'S1'],
      ['C2', undefined],
      ['C1', 'S2'],
      ['C2', 'S1'],
      ['C1', undefined],
    ];
    for (const [id, siteId] of writes) {
      await seed({ containers: [{ id, kind: 'reefer', label: id, ...(siteId && { siteId }) }] });
      await refreshed.refresh(id);
      const reloaded = new ContainerSites(fleet);
      await reloaded.onModuleInit();
      for (const c of ['C1', 'C2'])
        assert.equal(refreshed.siteOf(c), reloaded.siteOf(c), `${c} after ${id}→${siteId}`);
    }
    await fleet.db.deleteFrom('containers').where('id', '=', 'C2').execute();
    await refreshed.refresh('C2');
    assert.equal(refreshed.siteOf('C2'), undefined);
  });
});
