import { Logger } from '@nestjs/common';
import { LOCK_SPACE } from './advisory-lock.keys.js';
import { fairShare, preferredOrder } from './fair-share.js';
import { bumpEpochs } from './partition-epochs.js';
import type { PartitionLeaseListener } from './partition-lease.listener.js';
import { LeaseSession, type LeaseConnect } from './lease-session.js';

export interface PartitionLeasesOptions {
  /** The partition count of the data (`PARTITIONS`). */
  partitions: number;
  /** A new client for this processor's own lease session. */
  connect: LeaseConnect;
  listener: PartitionLeaseListener;
  /** Time between two looks at the members and the partitions' holders, in ms. */
  rebalanceMs?: number;
}

/** Default time between two rebalances: a dead member's partitions are taken within about this. */
export const PARTITION_REBALANCE_MS = 1000;

/** Advisory locks of this database in the lease spaces, with the backend holding each. */
const VIEW = `
  SELECT classid::int AS space, objid::int AS key, pid
  FROM pg_locks
  WHERE locktype = 'advisory' AND objsubid = 2 AND granted
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND classid::int IN ($1, $2)`;

/**
 * This processor's leases on partitions (ARCHITECTURE.md §9), on its own PostgreSQL session.
 *
 * Membership: a live processor holds the session advisory lock `(member, its backend pid)`; the
 * members are the sessions holding one, in pid order. A dead node's session ends, by its socket
 * closing or by TCP keepalives (`lease-session.ts`), and every lock it held goes with it.
 * Ownership: a partition belongs to the session that holds `(partition, p)`. Every
 * `rebalanceMs` the processor reads both from `pg_locks`, works out its {@link fairShare} of
 * the partitions, releases what it holds beyond it (after {@link PartitionLeaseListener.releasing})
 * and tries to lock free partitions up to it, bumps their fencing epochs on the same session
 * (`partition-epochs.ts`), then hands both to {@link PartitionLeaseListener.acquired}. A
 * partition whose write another holder's epoch refused is given up ({@link forfeit}).
 * When its session is lost it reports every partition {@link PartitionLeaseListener.lost} and
 * joins again, as a new member, at its next turn.
 */
export class PartitionLeases {
  private readonly logger = new Logger(PartitionLeases.name);
  private readonly session: LeaseSession;
  private readonly held = new Set<number>();
  private readonly rebalanceMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** Sessions lost so far: tells an `acquired` call that outlived its session. */
  private losses = 0;

  constructor(private readonly options: PartitionLeasesOptions) {
    this.rebalanceMs = options.rebalanceMs ?? PARTITION_REBALANCE_MS;
    this.session = new LeaseSession(options.connect, (reason) => this.lose(reason));
  }

  /** The partitions whose locks this processor holds, ascending. */
  owned(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** The backend pid of this processor's lease session (its member key), while it has one. */
  get sessionPid(): number | undefined {
    return this.session.pid;
  }

  /** Joins the members and takes a first share (awaited); then rebalances every `rebalanceMs`. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.turn();
  }

  /** Runs one rebalance now (a test, or a caller that just learnt of a change), after any running one. */
  async rebalance(): Promise<void> {
    await this.turn();
  }

  /** Hands every partition off cleanly (releasing, then unlock), leaves the members and ends the session. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.session.isOpen && this.held.size > 0) await this.release(this.owned());
    await this.session.close();
  }

  private turn(): Promise<void> {
    clearTimeout(this.timer);
    // One turn at a time: a rebalance asked for during one runs after it.
    const previous = this.running ?? Promise.resolve();
    const next = previous.then(() => this.rebalanceOnce());
    this.running = next;
    return next.finally(() => {
      if (this.running === next) this.running = undefined;
      if (!this.stopped && this.running === undefined) {
        this.timer = setTimeout(() => void this.turn(), this.rebalanceMs);
        this.timer.unref();
      }
    });
  }

  private async rebalanceOnce(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.session.isOpen) await this.join();
      const pid = this.session.pid;
      if (pid === undefined) return;
      const rows = await this.session.query<{ space: number; key: number; pid: number }>(VIEW, [
        LOCK_SPACE.member,
        LOCK_SPACE.partition,
      ]);
      const members = rows
        .filter((r) => r.space === LOCK_SPACE.member)
        .map((r) => r.pid)
        .sort((a, b) => a - b);
      const holders = new Map<number, number>();
      for (const r of rows) if (r.space === LOCK_SPACE.partition) holders.set(r.key, r.pid);
      const rank = members.indexOf(pid);
      if (rank < 0) throw new Error(`member lock of session ${pid} not held`);
      const target = fairShare(this.options.partitions, members.length, rank);
      if (this.held.size > target) await this.release(this.owned().slice(target));
      else if (this.held.size < target)
        await this.acquire(
          preferredOrder(this.options.partitions, members.length, rank).filter((p) => !holders.has(p)),
          target - this.held.size,
        );
    } catch (error) {
      this.logger.warn(`Partition leases: rebalance failed: ${(error as Error).message}`);
    }
  }

  private async join(): Promise<void> {
    const pid = await this.session.open();
    await this.session.query('SELECT pg_advisory_lock($1, $2)', [LOCK_SPACE.member, pid]);
    this.logger.log({ pid }, 'Partition leases: joined the processors');
  }

  /** Tries free partitions in order until `wanted` are locked; the listener restores them. */
  private async acquire(candidates: number[], wanted: number): Promise<void> {
    const got: number[] = [];
    for (const p of candidates) {
      if (got.length === wanted) break;
      const [row] = await this.session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
        LOCK_SPACE.partition,
        p,
      ]);
      if (row.ok) got.push(p);
    }
    if (got.length === 0) return;
    for (const p of got) this.held.add(p);
    const losses = this.losses;
    try {
      // Before the restore: a stale owner's write in flight commits before the bump or is refused.
      const epochs = await bumpEpochs(this.session, got);
      await this.options.listener.acquired(got, epochs);
      // The session died while the state was restored: the locks went with it.
      if (this.losses !== losses) this.options.listener.lost(got);
    } catch (error) {
      this.logger.error(
        { partitions: got },
        `Partition leases: restore failed, releasing: ${(error as Error).message}`,
      );
      if (this.losses === losses) await this.unlock(got);
    }
  }

  private async release(partitions: number[]): Promise<void> {
    try {
      await this.options.listener.releasing(partitions);
    } catch (error) {
      this.logger.warn(
        { partitions },
        `Partition leases: last checkpoint failed, releasing anyway: ${(error as Error).message}`,
      );
    }
    await this.unlock(partitions);
  }

  private async unlock(partitions: number[]): Promise<void> {
    await this.session.query('SELECT pg_advisory_unlock($1, p) FROM unnest($2::int[]) AS p', [
      LOCK_SPACE.partition,
      partitions,
    ]);
    for (const p of partitions) this.held.delete(p);
  }

  /**
   * Gives up partitions whose state writes were fenced (another holder bumped their epoch): they
   * are reported lost, and those still held are unlocked, so that a later turn may take them again
   * under a new epoch. A session that died meanwhile has unlocked them already.
   */
  async forfeit(partitions: readonly number[]): Promise<void> {
    const held = partitions.filter((p) => this.held.has(p));
    for (const p of held) this.held.delete(p);
    this.options.listener.lost([...partitions]);
    if (held.length === 0 || !this.session.isOpen) return;
    try {
      await this.session.query('SELECT pg_advisory_unlock($1, p) FROM unnest($2::int[]) AS p', [
        LOCK_SPACE.partition,
        held,
      ]);
    } catch (error) {
      this.logger.warn(
        { partitions: held },
        `Partition leases: unlock after a fence failed: ${(error as Error).message}`,
      );
    }
  }

  private lose(reason: string): void {
    const lost = this.owned();
    this.held.clear();
    this.losses++;
    this.logger.warn({ partitions: lost.length }, `Partition leases: session lost (${reason})`);
    if (lost.length > 0) this.options.listener.lost(lost);
  }
}
