import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DomainError } from '#src/common/domain-error.js';
import { FleetSeedDto } from './dto/fleet-seed.dto.js';
import { FleetSeedPages, SEED_PAGE_CONTAINERS } from './fleet-seed-pages.js';

const CONTAINERS = 2 * SEED_PAGE_CONTAINERS + 500;

function seed(bad: { containers?: number[]; device?: boolean; site?: boolean } = {}) {
  return {
    sites: [
      {
        id: 'S-1',
        name: 'one',
        kind: bad.site === true ? 'moon-base' : 'hub',
        lat: 45,
        lon: 5,
        geofence: { type: 'circle', radiusM: 100 },
      },
    ],
    containers: Array.from({ length: CONTAINERS }, (_, i) => ({
      id: `C-${i}`,
      kind: bad.containers?.includes(i) === true ? 'spaceship' : 'pallet',
      label: `c ${i}`,
      siteId: 'S-1',
    })),
    devices: [{ id: 'd-1', format: bad.device === true ? 'telepathy' : 'json', containerId: 'C-0' }],
  };
}

/** What the validation of the whole description says, as the import said it before pages. */
function wholeMessage(raw: unknown): string {
  const errors = validateSync(plainToInstance(FleetSeedDto, raw), {
    whitelist: true,
    forbidNonWhitelisted: true,
  });
  const flatten = (list: typeof errors, prefix = ''): string[] =>
    list.flatMap((e) => {
      const path = prefix ? `${prefix}.${e.property}` : e.property;
      return [
        ...Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`),
        ...flatten(e.children ?? [], path),
      ];
    });
  return `fleet seed is invalid: ${flatten(errors).join('; ')}`;
}

describe(FleetSeedPages.name, () => {
  it('yields the sites with the first containers, the other containers a page at a time, the devices last', () => {
    const pages = new FleetSeedPages(seed());
    const sizes = [...pages].map((p) => [p.sites.length, p.containers.length, p.devices.length]);
    assert.deepEqual(sizes, [
      [1, SEED_PAGE_CONTAINERS, 0],
      [0, SEED_PAGE_CONTAINERS, 0],
      [0, 500, 0],
      [0, 0, 1],
    ]);
    assert.equal(pages.sites, 1);
    assert.equal(pages.containerIds.length, CONTAINERS);
    assert.equal(pages.containerIds[CONTAINERS - 1], `C-${CONTAINERS - 1}`);
    assert.deepEqual(pages.deviceIds, ['d-1']);
  });

  it('validates a small description whole, in one page', () => {
    const small = { ...seed(), containers: seed().containers.slice(0, 3) };
    assert.equal([...new FleetSeedPages(small)].length, 1);
  });

  it('says what the validation of the whole description says, entries numbered in the whole', () => {
    const raw = seed({ containers: [3, SEED_PAGE_CONTAINERS + 7, CONTAINERS - 1], device: true, site: true });
    const expected = wholeMessage(raw);
    assert.match(expected, new RegExp(`containers\\.${SEED_PAGE_CONTAINERS + 7}\\.kind`));
    assert.throws(
      () => FleetSeedPages.validate(raw),
      (err: unknown) => err instanceof DomainError && err.message === expected,
    );
  });

  it('yields no page after an invalid one, and throws once every page is validated', () => {
    const pages = new FleetSeedPages(seed({ containers: [SEED_PAGE_CONTAINERS + 1] }));
    const taken: number[] = [];
    assert.throws(
      () => {
        for (const page of pages) taken.push(page.containers.length);
      },
      new RegExp(`containers\\.${SEED_PAGE_CONTAINERS + 1}\\.kind`),
    );
    assert.deepEqual(taken, [SEED_PAGE_CONTAINERS]);
  });

  it('validates whole what is not three arrays: the same messages as before pages', () => {
    for (const raw of [
      { sites: 'x', extra: 1 },
      { ...seed(), extra: true },
    ])
      assert.throws(
        () => FleetSeedPages.validate(raw),
        (err: unknown) => err instanceof DomainError && err.message === wholeMessage(raw),
      );
  });
});
