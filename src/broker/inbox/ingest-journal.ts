import { InboxSegmentLog, type SegmentWrite } from './inbox-segment.log.js';
import { UnprocessedIds } from './unprocessed-ids.js';

/** One acknowledged message waiting for the pipeline. */
export interface InboxMessage {
  id: number;
  topic: string;
  payload: Buffer;
  receivedAt: number;
}

/** Longest a message waits for its group commit, ms (the PUBACK waits with it). */
const COMMIT_EVERY_MS = 2;
/** Messages per group commit at most. */
const COMMIT_MAX = 2000;
/**
 * Least time between two hand-offs of committed messages to the pipeline, ms. A hand-off (a
 * message to the main thread, a drain, a store transaction, a completion back) wakes three threads
 * and costs about the same whatever it carries: at 2,500 messages/s one per 2 ms commit carried
 * five. The first commit after a quiet spell goes at once; the PUBACK never waits for a hand-off.
 */
const HAND_OFF_EVERY_MS = 10;
/** Unprocessed messages above which new PUBACKs are held back (QoS 1 flow control), by default. */
const HIGH_WATER = 50_000;

interface Appended {
  topic: string;
  payload: Buffer;
  receivedAt: number;
  onDurable: () => void;
}

export interface IngestJournalEvents {
  /** Messages just committed (or left by the last run, at open), in id order. */
  committed(messages: InboxMessage[]): void;
  /** PUBACKs held back because the pipeline is behind. */
  heldBack(count: number): void;
  /** Acknowledged messages the pipeline has not stored yet. */
  depth(unprocessed: number): void;
  /** A group that could not be written (a full disk): not acknowledged, so devices send it again. */
  failed(count: number, error: Error): void;
}

/**
 * Write-ahead inbox of the embedded broker (nothing acknowledged is lost). The broker's publish
 * hook appends each device message and holds its PUBACK until the message is committed; commits
 * are grouped (every {@link COMMIT_EVERY_MS} ms or {@link COMMIT_MAX} messages) so durability
 * costs one transaction per group, not per message. Committed messages go to `committed` (the
 * pipeline) at most every {@link HAND_OFF_EVERY_MS} ms (or {@link COMMIT_MAX} messages); it calls
 * {@link complete} once what they carried is stored (flow control), and {@link forget} once
 * they are also covered by a state checkpoint: only then are they deleted, and until then a
 * restart replays them. When the pipeline is {@link HIGH_WATER} messages behind, PUBACKs wait
 * until it catches up: devices see QoS 1 back-pressure instead of the inbox growing without bound.
 *
 * The journal is an append-only log of its own in DATA_DIR ({@link InboxSegmentLog}), owned by
 * whichever thread runs the broker: it never waits for a database lock, a checkpoint or an fsync.
 */
export class IngestJournal {
  private readonly log: InboxSegmentLog;
  private leftovers: InboxMessage[];
  private closed = false;
  private appended: Appended[] = [];
  private held: (() => void)[] = [];
  private commitTimer?: NodeJS.Timeout;
  /** Committed groups not handed to the pipeline yet, oldest first. */
  private ready: InboxMessage[][] = [];
  private readyCount = 0;
  private handOffTimer?: NodeJS.Timeout;
  private lastHandOffAt = -Infinity;
  private readonly unprocessed = new UnprocessedIds();

  private readonly highWater: number;
  private readonly handOffEveryMs: number;

  constructor(
    dataDir: string,
    private readonly events: IngestJournalEvents,
    options: { highWater?: number; handOffEveryMs?: number; write?: SegmentWrite } = {},
  ) {
    this.highWater = options.highWater ?? HIGH_WATER;
    this.handOffEveryMs = options.handOffEveryMs ?? HAND_OFF_EVERY_MS;
    ({ log: this.log, leftovers: this.leftovers } = InboxSegmentLog.open(dataDir, { write: options.write }));
  }

  /** Hands the pipeline whatever a previous run acknowledged and left unprocessed. */
  replayLeftovers(): number {
    const left = this.leftovers;
    this.leftovers = [];
    this.deliver(left);
    return left.length;
  }

  /**
   * Takes over messages another store acknowledged (an older version's inbox), in order, after
   * what this log holds; they are replayed with the leftovers.
   */
  adopt(messages: readonly Omit<InboxMessage, 'id'>[]): void {
    // concat, not push(...): an old inbox may hold more messages than a call takes arguments.
    this.leftovers = this.leftovers.concat(this.log.append(messages));
  }

  /**
   * Appends a message; `onDurable` runs once it is committed (the caller then acknowledges it).
   * When the pipeline is far behind, the acknowledgement is held until it catches up.
   */
  append(topic: string, payload: Buffer, onDurable: () => void): void {
    this.appended.push({ topic, payload, receivedAt: Date.now(), onDurable });
    if (this.appended.length >= COMMIT_MAX) this.commit();
    else this.commitTimer ??= setTimeout(() => this.commit(), COMMIT_EVERY_MS);
  }

  /** Messages up to `lastId` are stored downstream (told again, counted once): release held PUBACKs. */
  complete(lastId: number): void {
    if (this.closed) return;
    this.unprocessed.storedUpTo(lastId);
    this.events.depth(this.unprocessed.count);
    if (this.unprocessed.count < this.highWater && this.held.length > 0) this.releaseHeld();
  }

  /** Messages up to `position` are stored and checkpointed: never replayed, deleted. */
  forget(position: number): void {
    if (!this.closed) this.log.complete(position);
  }

  /** Commits what is pending, acknowledges what was held, closes the file. */
  close(): void {
    if (this.closed) return;
    this.commit();
    this.handOff();
    this.releaseHeld();
    this.closed = true;
    this.log.close();
  }

  private releaseHeld(): void {
    const release = this.held;
    this.held = [];
    for (const ack of release) ack();
  }

  private commit(): void {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    if (this.appended.length === 0 || this.closed) return;
    const batch = this.appended;
    this.appended = [];
    let messages: InboxMessage[];
    try {
      messages = this.log.append(batch);
    } catch (err) {
      this.events.failed(batch.length, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const behind = this.unprocessed.count >= this.highWater;
    this.count(messages);
    for (const a of batch) {
      if (behind) this.held.push(a.onDurable);
      else a.onDurable();
    }
    if (behind) this.events.heldBack(batch.length);
    this.ready.push(messages);
    this.readyCount += messages.length;
    if (this.handOffTimer !== undefined && this.readyCount < COMMIT_MAX) return;
    const wait = this.lastHandOffAt + this.handOffEveryMs - performance.now();
    if (wait <= 0 || this.readyCount >= COMMIT_MAX) this.handOff();
    else this.handOffTimer = setTimeout(() => this.handOff(), wait);
  }

  private handOff(): void {
    clearTimeout(this.handOffTimer);
    this.handOffTimer = undefined;
    if (this.readyCount === 0) return;
    this.lastHandOffAt = performance.now();
    const groups = this.ready;
    this.ready = [];
    this.readyCount = 0;
    this.events.committed(groups.length === 1 ? groups[0] : groups.flat());
  }

  private deliver(messages: InboxMessage[]): void {
    if (messages.length === 0) return;
    this.count(messages);
    this.events.committed(messages);
  }

  /** Counted as unprocessed from their commit on, whether handed to the pipeline yet or not. */
  private count(committed: readonly InboxMessage[]): void {
    this.unprocessed.add(committed);
    this.events.depth(this.unprocessed.count);
  }
}
