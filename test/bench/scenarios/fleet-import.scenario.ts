import type { StoreDialect } from '#src/storage/store-migration.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';
import type { FleetImportCommand, FleetImportReport } from '../load/fleet-import.protocol.js';
import { BenchChild } from '../support/child-process.js';
import { IMPORT_SITES } from '../support/import-fleet.js';
import { processTreeCpuSeconds } from '../support/proc-stats.js';
import { FLEET_CONTAINERS, type BenchSettings } from './bench-settings.js';
import { POSTGRES_SERVER } from './postgres.scenario.js';

/** One import of the bench fleet into a fresh store. */
export interface FleetImportRun {
  store: StoreDialect;
  wallS: number;
  convoiCpuS: number;
  /** Seconds convoi's main thread was idle over the import: waiting for the store. */
  mainIdleS: number;
  /** The postmaster and its backends over the import (null on SQLite). */
  postgresCpuS: number | null;
}

export interface FleetImportResult {
  containers: number;
  sites: number;
  /** In run order: the stores alternate which goes first from round to round. */
  runs: FleetImportRun[];
  /** The median of each figure over a store's runs. */
  median: Record<
    StoreDialect,
    { wallS: number; convoiCpuS: number; mainIdleS: number; postgresCpuS: number | null }
  >;
  server: string;
}

/**
 * A fleet import of the 150,000 bench containers (issue 23's third target: PostgreSQL no slower
 * than SQLite) into a fresh SQLite data dir and a fresh database of a real PostgreSQL, alternated
 * over `settings.importRounds` rounds so drifting load on the machine falls on both. convoi runs
 * the import in a process of its own (fleet-import.process.ts), started anew for each.
 */
export async function fleetImport(settings: BenchSettings): Promise<FleetImportResult> {
  const postgres = await startPostgres({ durable: true });
  const runs: FleetImportRun[] = [];
  try {
    for (let round = 0; round < settings.importRounds; round++) {
      const order: StoreDialect[] = round % 2 === 0 ? ['sqlite', 'postgres'] : ['postgres', 'sqlite'];
      for (const store of order) {
        const run = await importOnce(store, postgres);
        process.stdout.write(
          `    fleet-import ${store}: ${run.wallS} s, convoi CPU ${run.convoiCpuS} s, main thread idle ${run.mainIdleS} s` +
            (run.postgresCpuS === null ? '\n' : `, postgres CPU ${run.postgresCpuS} s\n`),
        );
        runs.push(run);
      }
    }
  } finally {
    await postgres.stop();
  }
  const medianOf = (store: StoreDialect) => {
    const mine = runs.filter((r) => r.store === store);
    const pg = mine.map((r) => r.postgresCpuS).filter((s) => s !== null);
    return {
      wallS: median(mine.map((r) => r.wallS)),
      convoiCpuS: median(mine.map((r) => r.convoiCpuS)),
      mainIdleS: median(mine.map((r) => r.mainIdleS)),
      postgresCpuS: pg.length > 0 ? median(pg) : null,
    };
  };
  return {
    containers: FLEET_CONTAINERS,
    sites: IMPORT_SITES,
    runs,
    median: { sqlite: medianOf('sqlite'), postgres: medianOf('postgres') },
    server: POSTGRES_SERVER,
  };
}

async function importOnce(store: StoreDialect, postgres: PostgresServer): Promise<FleetImportRun> {
  const child = new BenchChild<FleetImportCommand, FleetImportReport>('load/fleet-import.process.js');
  try {
    const databaseUrl = store === 'postgres' ? await postgres.createDatabase() : undefined;
    await child.request({ type: 'start', databaseUrl }, 'started');
    const pid = postgres.pid();
    if (pid === undefined) throw new Error('PostgreSQL is not running');
    const before = processTreeCpuSeconds(pid);
    const imported = await child.request(
      { type: 'import', containers: FLEET_CONTAINERS },
      'imported',
      300_000,
    );
    const postgresCpuS = processTreeCpuSeconds(pid) - before;
    if (imported.containers !== FLEET_CONTAINERS)
      throw new Error(`${store}: imported ${imported.containers} of ${FLEET_CONTAINERS} containers`);
    return {
      store,
      wallS: imported.wallS,
      convoiCpuS: imported.convoiCpuS,
      mainIdleS: imported.mainIdleS,
      postgresCpuS: store === 'postgres' ? Math.round(postgresCpuS * 100) / 100 : null,
    };
  } finally {
    await child.stop(30_000);
  }
}

/** The middle value (of an even count, the mean of the middle two, to 0.01). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.round(value * 100) / 100;
}
