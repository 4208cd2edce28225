import type { Statement } from 'better-sqlite3';
import {
  INBOX_LOG,
  STREAM_LOG,
  type CheckpointPositions,
  type PartitionPosition,
  type StoredPositions,
} from './checkpoint-positions.js';
import { guardPartitionCount } from './partition-count.guard.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { STATE_CHECKPOINT_MIGRATIONS, STATE_CHECKPOINT_SCOPE } from './state-checkpoint.migrations.js';
import { sqliteMigrations } from './store-migration.js';

/** The checkpoint's positions in the SQLite file: stored when the call returns. */
export class SqliteCheckpointPositions implements CheckpointPositions {
  private statements?: { wholeLog: Statement; partitions: Statement };
  /** The owned list as JSON, made again only when it changes (the statement takes it as one value). */
  private ownedJson: [readonly number[], string] = [[], '[]'];

  constructor(private readonly sqlite: SqliteDatabase) {}

  get isOpen(): boolean {
    return this.sqlite.connection.open;
  }

  open(partitions: number, nowMs: number): StoredPositions {
    this.sqlite.migrate(STATE_CHECKPOINT_SCOPE, sqliteMigrations(STATE_CHECKPOINT_MIGRATIONS));
    guardPartitionCount(this.sqlite.connection, partitions, nowMs);
    return this.readNow();
  }

  read(_partitions: readonly number[], log: string): Promise<StoredPositions> {
    return Promise.resolve(this.readNow(log));
  }

  save(position: number, nowMs: number, owned: readonly number[], wholeLog: boolean): void {
    const db = this.sqlite.connection;
    const statements = (this.statements ??= {
      wholeLog: db.prepare(
        `INSERT INTO state_checkpoint (log, position, written_at) VALUES (?, ?, ?)
         ON CONFLICT(log) DO UPDATE SET position = excluded.position, written_at = excluded.written_at`,
      ),
      // One statement for all the partitions: a row each, from the list of the owned ones, without
      // a call from JavaScript per row (4,096 calls held the event loop ~30 ms at each checkpoint).
      partitions: db.prepare(
        `INSERT INTO partition_checkpoint (log, partition, position, written_at)
         SELECT ?, value, ?, ? FROM json_each(?) WHERE true
         ON CONFLICT(log, partition) DO UPDATE SET position = excluded.position, written_at = excluded.written_at`,
      ),
    });
    if (this.ownedJson[0] !== owned) this.ownedJson = [owned, JSON.stringify(owned)];
    const json = this.ownedJson[1];
    db.transaction(() => {
      if (wholeLog) statements.wholeLog.run(INBOX_LOG, position, nowMs);
      statements.partitions.run(INBOX_LOG, position, nowMs, json);
    })();
  }

  savePartitions(entries: readonly PartitionPosition[], nowMs: number): void {
    const db = this.sqlite.connection;
    const upsert = db.prepare(
      `INSERT INTO partition_checkpoint (log, partition, position, written_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(log, partition) DO UPDATE SET position = excluded.position, written_at = excluded.written_at`,
    );
    db.transaction(() => {
      for (const [partition, position] of entries) upsert.run(STREAM_LOG, partition, position, nowMs);
    })();
  }

  lower(position: number): void {
    const db = this.sqlite.connection;
    db.transaction(() => {
      for (const table of ['state_checkpoint', 'partition_checkpoint'])
        db.prepare(`UPDATE ${table} SET position = ? WHERE log = ? AND position > ?`).run(
          position,
          INBOX_LOG,
          position,
        );
    })();
  }

  private readNow(log = INBOX_LOG): StoredPositions {
    const db = this.sqlite.connection;
    const row = db
      .prepare<[string], { position: number }>('SELECT position FROM state_checkpoint WHERE log = ?')
      .get(log);
    const partitions = db
      .prepare<[string], { partition: number; position: number }>(
        'SELECT partition, position FROM partition_checkpoint WHERE log = ?',
      )
      .all(log);
    return { wholeLog: row?.position ?? 0, partitions };
  }
}
