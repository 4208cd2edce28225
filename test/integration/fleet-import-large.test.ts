// A fleet import larger than one statement of either store (SQLite ~4,000 containers a statement,
// PostgreSQL 20,000), through the seed file as `FLEET_SEED_FILE` reads it: all or nothing across
// its statements, and idempotent.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DomainError } from '#src/common/domain-error.js';
import { FleetImportService } from '#src/fleet/fleet-import.service.js';
import { startAppOnStore, type AppOnStore } from '#test/support/app-on-store.js';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';
import type { TestApp } from '#test/support/test-app.js';

/** More than one PostgreSQL statement of containers, and six of SQLite's. */
const CONTAINERS = 25_000;
/** The container that names no site: in the second PostgreSQL statement, SQLite's sixth. */
const BAD = 22_000;
const DEVICES = 300;

const containerId = (i: number) => `BIG-${String(i).padStart(5, '0')}`;

function seed(options: { homeless?: number; label?: string; badKind?: number } = {}) {
  return {
    sites: [
      {
        id: 'BIG-SITE',
        name: 'Big',
        kind: 'warehouse',
        lat: 45,
        lon: 5,
        geofence: { type: 'circle', radiusM: 300 },
      },
    ],
    containers: Array.from({ length: CONTAINERS }, (_, i) => ({
      id: containerId(i),
      kind: i === options.badKind ? 'spaceship' : 'roll-cage',
      label: options.label ?? `Big ${i}`,
      siteId: i === options.homeless ? 'NO-SUCH-SITE' : 'BIG-SITE',
    })),
    devices: Array.from({ length: DEVICES }, (_, i) => ({
      id: `big-dev-${i}`,
      format: 'json',
      containerId: containerId(CONTAINERS - 1 - i),
    })),
  };
}

for (const dialect of STORE_DIALECTS)
  describe(`fleet import of ${CONTAINERS} containers (${dialect})`, () => {
    let app: TestApp;
    let store: AppOnStore;
    let file: string;
    const importFile = (body: unknown) => {
      writeFileSync(file, JSON.stringify(body));
      return app.running.app.get(FleetImportService).importFile(file);
    };
    before(async () => {
      store = await startAppOnStore(dialect);
      app = store.app;
      file = join(app.dataDir, 'big-seed.json');
    });
    after(() => store.close());

    it('writes nothing of it when one container in the middle names no site', async () => {
      await assert.rejects(
        importFile(seed({ homeless: BAD })),
        (err: unknown) =>
          err instanceof DomainError &&
          err.code === 'fleet.seed-invalid' &&
          err.message.includes('that neither the store nor the seed has'),
      );
      for (const path of [
        '/api/v1/sites/BIG-SITE',
        `/api/v1/containers/${containerId(0)}`,
        `/api/v1/containers/${containerId(BAD - 1)}`,
        `/api/v1/containers/${containerId(CONTAINERS - 1)}`,
        '/api/v1/devices/big-dev-0',
      ])
        assert.equal((await app.request(path)).status, 404, path);
    });

    it('writes nothing of it when an entry after the first pages is invalid, and names it by its index', async () => {
      const invalid = await importFile(seed({ badKind: BAD })).catch((err: unknown) => err);
      assert.ok(invalid instanceof DomainError, String(invalid));
      assert.equal(invalid.code, 'fleet.seed-invalid');
      assert.match(
        invalid.message,
        new RegExp(`^fleet seed is invalid: containers\\.${BAD}\\.kind: kind must be one of`),
      );
      // The store refuses an early page and a later one is invalid: the description is reported invalid.
      const both = await importFile(seed({ homeless: 5, badKind: BAD })).catch((err: unknown) => err);
      assert.ok(both instanceof DomainError, String(both));
      assert.match(both.message, new RegExp(`containers\\.${BAD}\\.kind`));
      for (const path of ['/api/v1/sites/BIG-SITE', `/api/v1/containers/${containerId(0)}`])
        assert.equal((await app.request(path)).status, 404, path);
    });

    it('writes all of it, then nothing when imported again, then only what changed', async () => {
      assert.deepEqual(await importFile(seed()), {
        sites: 1,
        containers: CONTAINERS,
        devices: DEVICES,
        bindingsChanged: DEVICES,
      });
      const last = await app.request(`/api/v1/containers/${containerId(CONTAINERS - 1)}`);
      assert.equal(last.status, 200);
      assert.equal(last.body.siteId, 'BIG-SITE');
      const again = await importFile(seed());
      assert.equal(again.bindingsChanged, 0);
      await importFile(seed({ label: 'relabelled' }));
      assert.equal((await app.request(`/api/v1/containers/${containerId(BAD)}`)).body.label, 'relabelled');
    });
  });
