import { DeliverPolicy, jetstream, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
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
export class LogTap {
  private readonly counts = new Map<string, number>();
  /** Stream sequences the tap never saw (purged before it read them): its counts are short by them. */
  missed = 0;
  private last = 0;

  private constructor(
    private readonly connection: NatsConnection,
    private messages?: ConsumerMessages,
  ) {}

  static async start(natsUrl: string, stream: string): Promise<LogTap> {
    const connection = await connect({ servers: natsUrl, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    const tap = new LogTap(connection);
    const consumer = await jetstream(connection).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    tap.messages = await consumer.consume({ callback: (m) => tap.take(m) });
    return tap;
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
    await this.messages?.close();
    await this.connection.close();
  }

  private take(m: JsMsg): void {
    if (m.seq !== this.last + 1) this.missed += m.seq - this.last - 1;
    this.last = m.seq;
    const decoded = decodeLogEntries(m.data);
    if (!decoded.ok) return;
    for (const entry of decoded.entries) {
      const { ts } = JSON.parse(Buffer.from(entry.payload).toString()) as { ts: string | number };
      const key = readingKey(entry.deviceId, typeof ts === 'number' ? ts : Date.parse(ts));
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
  }
}
