import { sql, type Kysely } from 'kysely';
import {
  INBOX_LOG,
  STREAM_LOG,
  type CheckpointPositions,
  type PartitionPosition,
  type StoredPositions,
} from './checkpoint-positions.js';
import type { OperationalDatabase } from './operational-database.js';
import type { PartitionFence } from './partition-fence.js';
import { checkPartitionCount } from './partition-count.guard.js';
import { STATE_CHECKPOINT_MIGRATIONS, STATE_CHECKPOINT_SCOPE } from './state-checkpoint.migrations.js';

type PositionsDb = {
  state_checkpoint: { log: string; position: number; written_at: number };
  partition_checkpoint: { log: string; partition: number; position: number; written_at: number };
  partition_count: { id: number; partitions: number; recorded_at: number };
};

/**
 * The checkpoint's positions in PostgreSQL (`DATABASE_URL`), where the state's rows are: a
 * process on another machine restores both. Each save is one transaction, sent after the state's
 * rows are committed.
 */
export class PostgresCheckpointPositions implements CheckpointPositions {
  private readonly db: Kysely<PositionsDb>;
  /** The pool is closed after every shutdown hook, the checkpoint's last one included. */
  readonly isOpen = true;

  constructor(
    private readonly operational: OperationalDatabase,
    private readonly fence: PartitionFence,
  ) {
    this.db = operational.db.withTables<PositionsDb>();
  }

  async open(partitions: number, nowMs: number): Promise<StoredPositions> {
    await this.operational.migrate(STATE_CHECKPOINT_SCOPE, STATE_CHECKPOINT_MIGRATIONS);
    // The first node to start records its count; every later one, on any machine, is held to it.
    await this.db
      .insertInto('partition_count')
      .values({ id: 1, partitions, recorded_at: nowMs })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const recorded = await this.db
      .selectFrom('partition_count')
      .select('partitions')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    checkPartitionCount(recorded.partitions, partitions, 'DATABASE_URL');
    return this.read();
  }

  async read(partitions?: readonly number[], log = INBOX_LOG): Promise<StoredPositions> {
    const [whole, rows] = await Promise.all([
      this.db.selectFrom('state_checkpoint').select('position').where('log', '=', log).executeTakeFirst(),
      this.db
        .selectFrom('partition_checkpoint')
        .select(['partition', 'position'])
        .where('log', '=', log)
        .$if(partitions !== undefined, (q) => q.where('partition', 'in', [...(partitions ?? []), -1]))
        .execute(),
    ]);
    return { wholeLog: whole?.position ?? 0, partitions: rows };
  }

  async save(position: number, nowMs: number, owned: readonly number[], wholeLog: boolean): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (wholeLog)
        await trx
          .insertInto('state_checkpoint')
          .values({ log: INBOX_LOG, position, written_at: nowMs })
          .onConflict((oc) =>
            oc
              .column('log')
              .doUpdateSet({ position: (eb) => eb.ref('excluded.position'), written_at: nowMs }),
          )
          .execute();
      // One statement for all the partitions, a row each from the array of the owned ones.
      await sql`
        INSERT INTO partition_checkpoint (log, partition, position, written_at)
        SELECT ${INBOX_LOG}, p, ${position}, ${nowMs} FROM unnest(${[...owned]}::int[]) AS p
        ON CONFLICT (log, partition) DO UPDATE SET position = excluded.position, written_at = excluded.written_at
      `.execute(trx);
    });
  }

  /**
   * One statement, a row per entry from the two arrays: a taker reads all of them or none. Fenced
   * (partition-fence.ts): a partition another processor took since is not written, and reported.
   */
  async savePartitions(entries: readonly PartitionPosition[], nowMs: number): Promise<void> {
    const guard = this.fence.guard(entries.map(([p]) => p));
    const { rows } = await sql<{ partition: number; epoch: number }>`
      WITH ${guard.ctes()}, saved AS (
        INSERT INTO partition_checkpoint (log, partition, position, written_at)
        SELECT ${STREAM_LOG}, p, q, ${nowMs}
        FROM unnest(${entries.map(([p]) => p)}::int[], ${entries.map(([, q]) => q)}::bigint[]) AS e (p, q)
        WHERE ${guard.admits('e.p')}
        ON CONFLICT (log, partition) DO UPDATE SET position = excluded.position, written_at = excluded.written_at
      )
      SELECT partition, epoch FROM fence`.execute(this.db);
    guard.settle(rows);
  }

  async lower(position: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const table of ['state_checkpoint', 'partition_checkpoint'] as const)
        await trx
          .updateTable(table)
          .set({ position })
          .where('log', '=', INBOX_LOG)
          .where('position', '>', position)
          .execute();
    });
  }
}
