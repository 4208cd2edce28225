import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migratePostgres } from '#src/storage/postgres-migrator.js';
import { POSTGRES_TYPES } from '#src/storage/postgres-types.js';
import { MOVED_TABLES, type MovedTable } from './moved-tables.js';
import { SqliteSource } from './sqlite-source.js';
import { MigrateStoreError } from './migrate-store.error.js';
import { TableMover, type TableAction, type TablePlan } from './table-mover.js';

export interface MoveStoreOptions {
  /** The SQLite deployment's DATA_DIR. */
  dataDir: string;
  /** The PostgreSQL to move into (DATABASE_URL). */
  databaseUrl: string;
  /** False when InfluxDB keeps the time series (INFLUX_URL set): they stay there. */
  timeSeriesInPostgres: boolean;
  /** Empty target tables that hold other rows than the source's, instead of refusing. */
  replace: boolean;
  /** Rows read, inserted and compared at a time. */
  batchSize: number;
}

/** What happened to one table. */
export interface TableReport {
  table: string;
  file: string;
  action: TableAction | 'left-in-influxdb' | 'never-used';
  copied: number;
  sourceRows: number;
  targetRows: number;
  sourceDigest: string;
  targetDigest: string;
  /** Same rows, same values on both sides. */
  matches: boolean;
}

/**
 * Moves a stopped SQLite deployment's operational tables into PostgreSQL (`convoi migrate-store`,
 * README "Moving from SQLite to PostgreSQL"): locks the SQLite files (refusing while convoi runs),
 * applies convoi's PostgreSQL migrations (the same lists the features run, so the schema is the
 * app's), plans every table before writing any row (refusing a target that holds other rows),
 * copies each table in one transaction, then compares every table's rows on both sides. The
 * SQLite files are only read: they stay as they were, a way back.
 */
export async function moveStore(
  options: MoveStoreOptions,
  progress: (line: string) => void,
): Promise<TableReport[]> {
  const wanted = MOVED_TABLES.filter((t) => options.timeSeriesInPostgres || t.timeSeries !== true);
  const source = new SqliteSource(options.dataDir);
  let tables = wanted;
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2, types: POSTGRES_TYPES });
  const target = new Kysely<object>({ dialect: new PostgresDialect({ pool }) });
  try {
    for (const file of new Set(tables.map((t) => t.file))) source.open(file);
    // A feature's optional tables exist once it ran (the InfluxDB outbox: with INFLUX_URL only).
    tables = wanted.filter((t) => t.optional !== true || source.columns(t.file, t.table).length > 0);
    await migrate(target, tables, progress);
    const movers = tables.map((t) => new TableMover(t, source, target, options.batchSize));
    const plans: TablePlan[] = [];
    for (const mover of movers) plans.push(await mover.plan(options.replace));
    refuseNonEmpty(movers, plans);

    const reports: TableReport[] = [];
    for (const [i, mover] of movers.entries()) {
      const started = Date.now();
      const plan = plans[i] as TablePlan & { action: TableAction };
      const copied = await mover.copy(plan.action);
      if (plan.action !== 'already-there')
        progress(`${mover.table}: ${copied} row(s) copied in ${Date.now() - started} ms`);
      const { source: s, target: t } = await mover.compare();
      reports.push({
        table: mover.table,
        file: mover.moved.file,
        action: plan.action,
        copied,
        sourceRows: s.rows,
        targetRows: t.rows,
        sourceDigest: s.value,
        targetDigest: t.value,
        matches: s.equals(t),
      });
    }
    for (const t of MOVED_TABLES.filter((m) => !tables.includes(m)))
      reports.push(notMoved(t, wanted.includes(t) ? 'never-used' : 'left-in-influxdb'));
    return reports;
  } finally {
    await target.destroy();
    source.close();
  }
}

/** Each scope's migrations once, in the order of the list (one scope may hold several tables). */
async function migrate(
  target: Kysely<object>,
  tables: readonly MovedTable[],
  progress: (line: string) => void,
): Promise<void> {
  const scopes = new Map(tables.map((t) => [t.scope, t.migrations]));
  for (const [scope, migrations] of scopes) {
    const reached = await migratePostgres(target, scope, migrations);
    if (reached !== undefined) progress(`migrated ${scope} to version ${reached}`);
  }
}

/** Refuses, before any row is written, when target tables hold other rows than the source's. */
function refuseNonEmpty(movers: readonly TableMover[], plans: readonly TablePlan[]): void {
  const refused = plans.flatMap((p, i) =>
    p.action === 'refuse'
      ? [`${movers[i].table} holds ${p.targetRows} row(s) (${movers[i].moved.file} has ${p.sourceRows})`]
      : [],
  );
  if (refused.length === 0) return;
  throw new MigrateStoreError(
    `PostgreSQL already holds other rows than the SQLite deployment, nothing copied:\n` +
      refused.map((r) => `  ${r}\n`).join('') +
      'Move into an empty database, or pass --replace to empty those tables first.',
  );
}

function notMoved(t: MovedTable, action: 'left-in-influxdb' | 'never-used'): TableReport {
  return {
    table: t.table,
    file: t.file,
    action,
    copied: 0,
    sourceRows: 0,
    targetRows: 0,
    sourceDigest: '',
    targetDigest: '',
    matches: true,
  };
}
