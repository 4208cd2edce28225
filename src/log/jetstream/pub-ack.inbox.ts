import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

interface Awaited {
  resolve(seq: number): void;
  reject(err: Error): void;
  /** `Date.now()` past which the append fails. */
  deadline: number;
}

/** How often pending appends are checked against their deadline (the timeout's resolution). */
const SWEEP_MS = 50;

/**
 * The stream's acknowledgements (PubAck) of appends, on one reply subscription of the
 * connection: each append publishes with a reply subject of its own under this inbox and waits
 * here. The client's request API does the same with an object, a timer and two errors built per
 * request, which was a third of an append's client CPU (test/bench/jetstream-log.bench.ts).
 */
export class PubAckInbox {
  private readonly prefix: string;
  private readonly subscription: Subscription;
  private readonly awaited = new Map<string, Awaited>();
  private readonly sweeper: NodeJS.Timeout;
  private next = 0;

  /** `onSettled` is called after each append's promise is settled, whichever way. */
  constructor(
    connection: NatsConnection,
    private readonly timeoutMs: number,
    private readonly onSettled: () => void = () => {},
  ) {
    this.prefix = `${createInbox()}.`;
    this.subscription = connection.subscribe(`${this.prefix}*`, {
      callback: (err, msg) => this.onReply(err, msg),
    });
    this.sweeper = setInterval(() => this.expire(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** A reply subject for one append, and the promise of its stream sequence. */
  expect(): { reply: string; acked: Promise<number> } {
    const token = (this.next++).toString(36);
    const acked = new Promise<number>((resolve, reject) => {
      this.awaited.set(token, { resolve, reject, deadline: Date.now() + this.timeoutMs });
    });
    return { reply: this.prefix + token, acked };
  }

  /** Fails the append of `reply` at once (its publish threw). */
  abandon(reply: string, err: unknown): void {
    const token = reply.slice(this.prefix.length);
    const waiting = this.awaited.get(token);
    if (!waiting) return;
    this.awaited.delete(token);
    waiting.reject(err instanceof Error ? err : new Error(String(err)));
    this.onSettled();
  }

  /** Fails what still waits and stops listening. */
  close(): void {
    clearInterval(this.sweeper);
    this.subscription.unsubscribe();
    for (const [token, waiting] of this.awaited) {
      this.awaited.delete(token);
      waiting.reject(new Error('log connection closed before the acknowledgement'));
      this.onSettled();
    }
  }

  private onReply(err: Error | null, msg: Msg): void {
    if (err) return;
    const token = msg.subject.slice(this.prefix.length);
    const waiting = this.awaited.get(token);
    if (!waiting) return; // already timed out: the append failed, a retry with its id dedupes
    this.awaited.delete(token);
    settle(waiting, msg);
    this.onSettled();
  }

  private expire(): void {
    const now = Date.now();
    for (const [token, waiting] of this.awaited) {
      if (waiting.deadline > now) continue;
      this.awaited.delete(token);
      waiting.reject(new Error(`timeout: no acknowledgement from the log within ${this.timeoutMs} ms`));
      this.onSettled();
    }
  }
}

/** Settles an append with the stream's answer: its sequence, or why it was not stored. */
function settle(waiting: Awaited, msg: Msg): void {
  if (msg.headers?.code === 503) {
    waiting.reject(new Error('no JetStream stream takes the subject (503 no responders)'));
    return;
  }
  const ack = msg.json<{
    seq?: number;
    error?: { code: number; err_code?: number; description: string };
  }>();
  if (ack.error)
    waiting.reject(
      new Error(`log refused the append: ${ack.error.description} (${ack.error.err_code ?? ack.error.code})`),
    );
  else if (typeof ack.seq === 'number') waiting.resolve(ack.seq);
  else waiting.reject(new Error('log answered without a sequence'));
}
