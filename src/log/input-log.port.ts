import type { LogPosition } from '#src/contracts/log-position.js';
import type { LogEntry, LoggedEntry } from './log-entry.js';

/**
 * The edge's side of the input log (ARCHITECTURE.md §9): the edge appends each accepted device
 * message and sends the PUBACK only once `append` resolves, so a message the device was told is
 * safe is in the log.
 */
export abstract class InputLogAppender {
  /**
   * Resolves with the entry's position once the log has stored it; rejects when it could not (log
   * unreachable, full, or too slow): then the edge holds the PUBACK and the device sends again.
   * The entries one partition is given in one event-loop turn are stored together, in the order
   * of the calls, at one position, and fail together. Appends past the in-flight window wait for
   * a slot (backpressure). Nothing is dropped as a repeat here: an entry appended again is stored
   * again, and the processor tells a resent reading by its identity.
   */
  abstract append(entry: LogEntry): Promise<LogPosition>;
}

/**
 * Called with each entry read, in log order within its partition, and done with it when it
 * returns: synchronous, so the reader hands entries over as they arrive, without a promise each.
 * The entries stored together at one position are handed over one after the other within one
 * task, so nothing else (a checkpoint) runs between them.
 */
export type LogEntryHandler = (entry: LoggedEntry) => void;

/** A running read of some partitions. */
export interface LogTail {
  /** Stops reading; resolves once no handler call is running or will start. */
  stop(): Promise<void>;
  /**
   * A position up to which every entry of these partitions in the log has been handed to the
   * handler: at least the last one handed over, and past the other partitions' entries the read
   * has gone by.
   */
  readThrough(): Promise<LogPosition>;
}

/** The processor's side of the input log. */
export abstract class InputLogReader {
  /**
   * Reads each partition of `after` from just past the position given for it (0: from the start),
   * in log order per partition, and keeps reading what is appended. The partitions are read
   * independently: their entries interleave in no particular order.
   */
  abstract read(after: ReadonlyMap<number, LogPosition>, onEntry: LogEntryHandler): Promise<LogTail>;

  /**
   * Progress: the entries of `partition` up to `position` are stored and covered by a state
   * checkpoint, so the log may forget them (as the inbox's `forget` does on one node).
   */
  abstract forget(partition: number, position: LogPosition): Promise<void>;

  /**
   * Progress of every partition at once: the entries up to `position` of all partitions are
   * stored and covered by a state checkpoint (the caller owns and has read them all).
   */
  abstract forgetAll(position: LogPosition): Promise<void>;
}
