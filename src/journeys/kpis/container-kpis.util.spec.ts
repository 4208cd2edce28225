import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerKpis, type Crossing } from './container-kpis.util.js';

const H = 3_600_000;
const c = (type: Crossing['type'], siteId: string, siteKind: string, hours: number): Crossing => ({
  type,
  siteId,
  siteKind,
  at: hours * H,
});

describe(containerKpis.name, () => {
  it('counts trips, one rotation warehouse → store → back, and time at each site', () => {
    const kpis = containerKpis(
      [
        c('enter', 'W', 'warehouse', 0),
        c('leave', 'W', 'warehouse', 1),
        c('enter', 'HUB', 'hub', 3),
        c('leave', 'HUB', 'hub', 3.5),
        c('enter', 'S', 'hypermarket', 7),
        c('leave', 'S', 'hypermarket', 8),
        c('enter', 'W', 'warehouse', 14),
      ],
      15 * H,
    );
    assert.equal(kpis.trips, 3);
    assert.equal(kpis.rotations.length, 1);
    assert.equal(kpis.rotations[0].durationMin, 13 * 60);
    assert.deepEqual(kpis.rotations[0].storeIds, ['S']);
    assert.equal(kpis.meanRotationMin, 780);
    const minutes = Object.fromEntries(kpis.sites.map((s) => [s.siteId, s.totalMin]));
    assert.deepEqual(minutes, { W: 60 + 60, HUB: 30, S: 60 });
  });

  it('a return without a store visit is no rotation; no crossings, no KPIs', () => {
    const kpis = containerKpis([c('leave', 'W', 'warehouse', 1), c('enter', 'W', 'warehouse', 2)], 3 * H);
    assert.equal(kpis.rotations.length, 0);
    assert.equal(kpis.meanRotationMin, null);
    assert.deepEqual(containerKpis([], 0), { trips: 0, rotations: [], meanRotationMin: null, sites: [] });
  });
});
