import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { Clock } from '#src/common/clock.js';
import { SqliteDatabase } from './sqlite-database.js';
import { STATE_CHECKPOINT_MIGRATIONS } from './state-checkpoint.migrations.js';

/** How often the in-memory state is checkpointed, ms: what a crash replays at most, about. */
export const CHECKPOINT_EVERY_MS = 5000;
/** The input log whose position a checkpoint records (one row a log, or a partition, later). */
const INBOX_LOG = 'inbox';

/** A store of in-memory state that is written behind: it takes part in every checkpoint. */
export interface CheckpointParticipant {
  /** Writes what changed since its last write (in slices, with pauses); resolves once written. */
  writeBehind(): Promise<void>;
}

/**
 * The checkpoint of the state kept in memory (rule, live state), at a known position of the
 * input log (ARCHITECTURE.md §2, §5). The transport reports the log position whose messages are
 * applied to memory ({@link applied}); every {@link CHECKPOINT_EVERY_MS} ms the position reached
 * is taken, every participant writes what changed, and the position is stored after them
 * (`state_checkpoint`), then handed to {@link onCheckpointed} (the inbox, which may then forget
 * what precedes it). After a crash, the log replays everything past it into the state: the state
 * written may reflect more than its position (writes between slices, alerts written at once),
 * which the replay absorbs, since rules, journeys and live state ignore a reading not newer than
 * the one they hold. The position is written after the rows it vouches for, so a crash between
 * the two only replays more.
 *
 * Stores register here rather than being listed: they live in features above storage.
 */
@Injectable()
export class StateCheckpoint implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(StateCheckpoint.name);
  private readonly participants: CheckpointParticipant[] = [];
  private readonly listeners: ((position: number) => void)[] = [];
  private appliedPosition = 0;
  /** Highest position checkpointed by this process (the log may have started its ids again). */
  private checkpointed = 0;
  /** The position stored last, by this process or (at start) the last one. */
  private stored = 0;
  private running?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private save!: Statement;

  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.sqlite.migrate('checkpoint', STATE_CHECKPOINT_MIGRATIONS);
    this.save = this.sqlite.connection.prepare(
      `INSERT INTO state_checkpoint (log, position, written_at) VALUES (?, ?, ?)
       ON CONFLICT(log) DO UPDATE SET position = excluded.position, written_at = excluded.written_at`,
    );
    const row = this.sqlite.connection
      .prepare<[string], { position: number }>('SELECT position FROM state_checkpoint WHERE log = ?')
      .get(INBOX_LOG);
    // Not where this run's positions start: an inbox emptied by hand numbers from 1 again, and
    // its positions must still be checkpointed and forgotten.
    this.stored = row?.position ?? 0;
    this.timer = setInterval(() => void this.checkpoint(), CHECKPOINT_EVERY_MS);
    this.timer.unref();
  }

  /** The position the stored state reflects (at start: the last run's), for logs and tests. */
  position(): number {
    return this.stored;
  }

  register(participant: CheckpointParticipant): void {
    this.participants.push(participant);
  }

  /** Called with each new checkpointed position, in order. */
  onCheckpointed(listener: (position: number) => void): void {
    this.listeners.push(listener);
  }

  /** The messages of the log up to `position` are applied to the state in memory. */
  applied(position: number): void {
    if (position > this.appliedPosition) this.appliedPosition = position;
  }

  /** Runs a checkpoint (one at a time: a call during one waits for it, then runs its own). */
  async checkpoint(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.write().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * At shutdown the stores write everything in their own hooks; this records the position their
   * writes reflect, so the next start replays nothing. It waits for a checkpoint in flight.
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.checkpoint();
  }

  private async write(): Promise<void> {
    const position = this.appliedPosition;
    try {
      for (const participant of this.participants) await participant.writeBehind();
      if (position <= this.checkpointed || !this.sqlite.connection.open) return;
      this.save.run(INBOX_LOG, position, this.clock.now());
      this.checkpointed = this.stored = position;
    } catch (err) {
      this.logger.error({ position, err }, 'State checkpoint failed: the inbox keeps what it would replay');
      return;
    }
    for (const listener of this.listeners) listener(position);
  }
}
