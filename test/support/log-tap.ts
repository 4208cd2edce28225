import {
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { decodeLogEntries } from '#src/log/log-entry.codec.js';
import { readingKey } from './device-fleet.js';

/**
 * Every reading the edges put in the readings stream, counted per reading key as it is stored:
 * an ordered consumer over the whole stream from its first entry, read as the processors read it,
 * so the counts stand when the processors have made the log forget. A resend the log took a
 * second time shows as a key counted twice: the processors must drop it. The payloads are the
 * native JSON of `DeviceFleet` and the kill runs (`ts`, ISO 8601 or ms).
 */
/** Entries a stalled tap reads one by one before it makes its consumer again. */
const CATCH_UP_ENTRIES = 20_000;

export class LogTap {
  private readonly counts = new Map<string, number>();
  /** Stream sequences the tap never saw (purged before it read them): its counts are short by them. */
  missed = 0;
  /** Entries whose payload was not the fleet's JSON: not counted (the test then waits in vain). */
  unreadable = 0;
  private last = 0;
  private lastProgressAt = Date.now();
  private messages?: ConsumerMessages;
  private watchdog?: NodeJS.Timeout;
  private checking = false;
  private restarts = 0;

  private constructor(
    private readonly connection: NatsConnection,
    private readonly stream: string,
  ) {}

  static async start(natsUrl: string, stream: string): Promise<LogTap> {
    const connection = await connect({ servers: natsUrl, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    const tap = new LogTap(connection, stream);
    await tap.open();
    tap.watchdog = setInterval(() => void tap.check(), 1000);
    return tap;
  }

  /** Where the tap stands, for a failure's message. */
  describe(): string {
    return `tap at sequence ${this.last}, ${this.missed} missed, ${this.unreadable} unreadable, ${this.restarts} restarts`;
  }

  /** How many times each reading key is in the log. */
  get copies(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /** Copies beyond one per reading: resends the processors must drop. */
  get resent(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c - 1;
    return n;
  }

  async stop(): Promise<void> {
    clearInterval(this.watchdog);
    await this.messages?.close();
    await this.connection.close();
  }

  /** An ordered consumer from the stream's first entry, or from just past the last one seen. */
  private async open(): Promise<void> {
    const consumer = await jetstream(this.connection).consumers.get(
      this.stream,
      this.last === 0
        ? { deliver_policy: DeliverPolicy.All }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.last + 1 },
    );
    this.messages = await consumer.consume({ callback: (m) => this.take(m) });
  }

  /**
   * In a full test run the tap's consumer stayed stalled after nats-server's restart while the
   * processors' went on. When the stream is ahead of it and nothing came for 2 s, the tap reads
   * what it lacks entry by entry (a plain request by sequence, which kept working in a CI run
   * where 20 consumers made again in a row delivered nothing), then makes its consumer again
   * from just past the last entry. An entry purged meanwhile shows in {@link missed}.
   */
  private async check(): Promise<void> {
    if (this.checking || Date.now() - this.lastProgressAt < 2000) return;
    this.checking = true;
    try {
      const manager = await jetstreamManager(this.connection);
      const info = await manager.streams.info(this.stream);
      if (info.state.last_seq > this.last) {
        await this.messages?.close().catch(() => undefined);
        const end = Math.min(info.state.last_seq, this.last + CATCH_UP_ENTRIES);
        for (let seq = this.last + 1; seq <= end; seq++) {
          const stored = await manager.streams.getMessage(this.stream, { seq }).catch(() => undefined);
          if (stored === undefined) break; // the server away again: the consumer takes it from here
          // Purged (the processors made the log forget it): counted missed when the next one comes.
          if (stored !== null) this.take(stored);
        }
        await this.open();
        this.restarts++;
      }
      this.lastProgressAt = Date.now();
    } catch {
      // The server is away: the next check tries again.
    } finally {
      this.checking = false;
    }
  }

  private take(m: Pick<JsMsg, 'seq' | 'subject' | 'data'>): void {
    this.lastProgressAt = Date.now();
    if (m.seq <= this.last) return; // a restarted consumer's overlap
    if (m.seq !== this.last + 1) this.missed += m.seq - this.last - 1;
    this.last = m.seq;
    // The stream's every subject: the partition is the subject's last token.
    const partition = Number(m.subject.slice(m.subject.lastIndexOf('.') + 1));
    const decoded = decodeLogEntries(m.data, { partition, position: m.seq });
    if (!decoded.ok) return;
    for (const entry of decoded.entries) {
      // The client stops a consumer whose callback throws: the tap must not.
      let ts: string | number;
      try {
        ({ ts } = JSON.parse(Buffer.from(entry.payload).toString()) as { ts: string | number });
      } catch {
        this.unreadable++;
        continue;
      }
      const key = readingKey(entry.deviceId, typeof ts === 'number' ? ts : Date.parse(ts));
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
  }
}
