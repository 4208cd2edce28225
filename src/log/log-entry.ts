import type { LogPosition } from '#src/contracts/log-position.js';

/**
 * One accepted device message as the edge appends it to the input log. The edge has already
 * attributed it to a container (the device's binding), which picks the partition: the processor
 * trusts that attribution and needs no second lookup.
 */
export interface LogEntry {
  /**
   * The container the edge attributed the message to; its partition is the entry's subject.
   * Empty when the device had no binding then: the entry goes to its device's partition
   * ({@link partitionKeyOf}), and the processor refuses its readings as it does on one node.
   */
  readonly containerId: string;
  /** The device that sent it (the MQTT client's identity, not a value read from the payload). */
  readonly deviceId: string;
  /** The MQTT topic it was published on: picks the decoder. */
  readonly topic: string;
  /** The message's bytes as the device sent them. */
  readonly payload: Uint8Array;
  /** When the edge received it, ms since the epoch. */
  readonly receivedAt: number;
}

/** An entry read back from the log: where it is, and in which partition. */
export interface LoggedEntry extends LogEntry {
  /** The message's bytes: a view on the log message read, handed on without a copy. */
  readonly payload: Buffer;
  /**
   * Its position in the log (the stream sequence of its message): increasing in log order within
   * a partition, shared by the entries one edge turn appended together.
   */
  readonly position: LogPosition;
  readonly partition: number;
}

/** What picks an entry's partition: its container, or its device when it was attributed to none. */
export function partitionKeyOf(entry: LogEntry): string {
  return entry.containerId === '' ? entry.deviceId : entry.containerId;
}
