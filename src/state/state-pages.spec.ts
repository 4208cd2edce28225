import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PageIdsOf, StatePages } from './state-pages.js';
import { LINKS, PAGE_SLOTS, STRIDE } from './state.layout.js';

const KEYS = ['temperatureC', 'humidityPct'];

/** A page of partition 0 with two containers, their devices, one shipment and one link. */
function twoContainers(): { pages: StatePages; a: number; b: number } {
  const pages = new StatePages();
  const a = pages.allocate(0, 'C-A');
  const b = pages.allocate(0, 'C-B');
  pages.deviceIds[a] = 'D-1';
  pages.shipmentIds[b] = 'S-1';
  pages.linkDevices[b * LINKS + 1] = 'D-2';
  return { pages, a, b };
}

describe(PageIdsOf.name, () => {
  it('builds the ids in slot order, null for a free slot, shipment or link', () => {
    const { pages } = twoContainers();
    const ids = pages.idsOf(0, KEYS).build();
    assert.equal(ids.stride, STRIDE);
    assert.deepEqual(ids.keys, KEYS);
    assert.equal(ids.containers.length, PAGE_SLOTS);
    assert.deepEqual(ids.containers.slice(0, 3), ['C-A', 'C-B', null]);
    assert.deepEqual(ids.devices.slice(0, 2), ['D-1', '']);
    assert.deepEqual(ids.shipments.slice(0, 2), [null, 'S-1']);
    assert.deepEqual(ids.links.slice(0, 2 * LINKS), [null, null, null, 'D-2']);
  });

  it('finds the ids it built the same while only the numbers change', () => {
    const { pages, a } = twoContainers();
    const recorded = pages.idsOf(0, KEYS).build();
    pages.numbers[0][a * STRIDE] = 42;
    assert.equal(pages.idsOf(0, KEYS).sameAs(recorded), true);
  });

  it('finds them changed when a container, device, shipment, link, the keys or nothing recorded differ', () => {
    const changes: [string, (pages: StatePages, a: number, b: number) => void][] = [
      ['a container added', (pages) => pages.allocate(0, 'C-C')],
      ['a container released', (pages, a) => pages.release(a)],
      ['a device', (pages, a) => (pages.deviceIds[a] = 'D-9')],
      ['a shipment ended', (pages, _a, b) => (pages.shipmentIds[b] = undefined)],
      ['a link', (pages, a) => (pages.linkDevices[a * LINKS] = 'D-3')],
    ];
    for (const [what, change] of changes) {
      const { pages, a, b } = twoContainers();
      const recorded = pages.idsOf(0, KEYS).build();
      change(pages, a, b);
      assert.equal(pages.idsOf(0, KEYS).sameAs(recorded), false, what);
    }
    const { pages } = twoContainers();
    const recorded = pages.idsOf(0, KEYS).build();
    assert.equal(pages.idsOf(0, ['temperatureC']).sameAs(recorded), false, 'other keys');
    assert.equal(pages.idsOf(0, KEYS).sameAs(undefined), false, 'nothing recorded');
  });
});
