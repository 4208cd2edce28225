import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '#src/config/app-config.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { ContainerSites } from './container-sites.service.js';
import { FleetRepository } from './fleet.repository.js';

void describe(ContainerSites.name, () => {
  void it('refreshes one container as a reload of all of them would find it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'container-sites-'));
    const db = new SqliteDatabase(Object.assign(new AppConfig(), { DATA_DIR: dir }));
    try {
      const fleet = new FleetRepository(db);
      fleet.onModuleInit();
      for (const id of ['S1', 'S2'])
        fleet.upsertSite(
          { id, name: id, kind: 'warehouse', lat: 45, lon: 5, geofence: { type: 'circle', radiusM: 300 } },
          0,
        );
      const refreshed = new ContainerSites(db);
      refreshed.onModuleInit();
      const writes: [string, string | undefined][] = [
        ['C1', 'S1'],
        ['C2', undefined],
        ['C1', 'S2'],
        ['C2', 'S1'],
        ['C1', undefined],
      ];
      for (const [id, siteId] of writes) {
        fleet.upsertContainer({ id, kind: 'reefer', label: id, ...(siteId && { siteId }) }, 0);
        refreshed.refresh(id);
        const reloaded = new ContainerSites(db);
        reloaded.onModuleInit();
        for (const c of ['C1', 'C2'])
          assert.equal(refreshed.siteOf(c), reloaded.siteOf(c), `${c} after ${id}→${siteId}`);
      }
      db.connection.prepare("DELETE FROM containers WHERE id = 'C2'").run();
      refreshed.refresh('C2');
      assert.equal(refreshed.siteOf('C2'), undefined);
    } finally {
      await db.onApplicationShutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
