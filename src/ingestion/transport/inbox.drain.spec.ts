import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IngestInbox, InboxMessage } from '#src/ingestion/inbox/ingest-inbox.js';
import type { IngestionConsumer } from '#src/ingestion/ingestion.consumer.js';
import type { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { waitFor } from '#test/support/wait-for.js';
import { ConsumerStatus } from './consumer-status.js';
import { InboxDrain } from './inbox.drain.js';

/** The two sides of the inbox the drain uses, recorded. */
class InboxDouble {
  drain?: (messages: readonly InboxMessage[]) => void;
  readonly completed: number[] = [];
  attach(drain: (messages: readonly InboxMessage[]) => void): void {
    this.drain = drain;
  }
  detach(): void {
    this.drain = undefined;
  }
  readonly appliedIds: number[] = [];
  applied(lastId: number): void {
    this.appliedIds.push(lastId);
  }
  complete(lastId: number): void {
    this.completed.push(lastId);
  }
}

class WriterDouble {
  flushes = 0;
  release: () => void = () => {};
  hold = false;
  flush(): Promise<void> {
    this.flushes++;
    if (!this.hold) return Promise.resolve();
    return new Promise((resolve) => (this.release = resolve));
  }
}

/** The consumer the drain calls: records each topic, and runs what a test makes it do. */
class ConsumerDouble {
  readonly consumed: string[] = [];
  readonly positions: number[] = [];
  onConsume: (topic: string) => void = () => {};
  consume(topic: string, payload: Buffer, position: number): void {
    assert.equal(payload.toString(), topic, 'the payload of the message');
    this.consumed.push(topic);
    this.positions.push(position);
    this.onConsume(topic);
  }
}

let nextId = 1;
function messages(topics: string[]): InboxMessage[] {
  return topics.map((topic) => ({ id: nextId++, topic, payload: Buffer.from(topic), receivedAt: 0 }));
}

function start(): { drain: InboxDrain; inbox: InboxDouble; writer: WriterDouble; consumer: ConsumerDouble } {
  const inbox = new InboxDouble();
  const writer = new WriterDouble();
  const consumer = new ConsumerDouble();
  const drain = new InboxDrain(
    inbox as unknown as IngestInbox,
    writer as unknown as TelemetryWriter,
    new ConsumerStatus(),
    consumer as unknown as IngestionConsumer,
  );
  drain.start();
  return { drain, inbox, writer, consumer };
}

describe(InboxDrain.name, () => {
  it('hands every message to the consumer in order, then reports the batch applied, flushes and completes it', async () => {
    const { inbox, writer, consumer } = start();
    const t = (id: string) => `v1/devices/${id}/telemetry`;
    const s = (id: string) => `v1/devices/${id}/status`;
    const batch = messages([t('a'), t('b'), s('c'), 'v9/unknown', t('e')]);
    inbox.drain!(batch);
    await waitFor('the batch completed', () => inbox.completed.length === 1);
    assert.deepEqual(consumer.consumed, [t('a'), t('b'), s('c'), 'v9/unknown', t('e')]);
    assert.deepEqual(
      consumer.positions,
      batch.map((m) => m.id),
      'each with its inbox id, its position in the log',
    );
    assert.deepEqual(inbox.appliedIds, [batch[batch.length - 1].id]);
    assert.deepEqual(inbox.completed, [batch[batch.length - 1].id]);
    assert.equal(writer.flushes, 1);
  });

  it('hands nothing over inside the inbox callback: the first message after it returns', async () => {
    const { inbox, consumer } = start();
    inbox.drain!(messages(['v1/devices/a/telemetry']));
    assert.deepEqual(consumer.consumed, [], 'not yet, in the callback');
    await waitFor('the batch completed', () => inbox.completed.length === 1);
    assert.deepEqual(consumer.consumed, ['v1/devices/a/telemetry']);
  });

  it('completes a batch only once the writer has flushed what it carried', async () => {
    const { inbox, writer } = start();
    writer.hold = true;
    const batch = messages(['v1/devices/a/telemetry']);
    inbox.drain!(batch);
    await waitFor('the flush', () => writer.flushes === 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(inbox.appliedIds, [batch[0].id], 'applied once handled');
    assert.deepEqual(inbox.completed, [], 'not completed while the flush is pending');
    writer.release();
    await waitFor('the batch completed', () => inbox.completed.length === 1);
  });

  it('closes once the batches handed over are handled, stored and completed (the writers stop after)', async () => {
    const { drain, inbox, writer, consumer } = start();
    writer.hold = true;
    const batch = messages(['v1/devices/a/telemetry', 'v1/devices/b/telemetry']);
    inbox.drain!(batch);
    let closed = false;
    const closing = drain.close().then(() => (closed = true));
    assert.equal(inbox.drain, undefined, 'intake stops at once');
    await waitFor('the flush', () => writer.flushes === 1);
    assert.equal(consumer.consumed.length, 2, 'the batch handed over is handled');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(closed, false, 'not closed while the batch is being stored');
    writer.release();
    await closing;
    assert.deepEqual(inbox.completed, [batch[1].id]);
  });

  it('merges the batches queued while one is handled: one flush and one completion for the backlog', async () => {
    const { inbox, writer, consumer } = start();
    const first = messages(['v1/devices/a/telemetry']);
    const behind = [1, 2, 3].map((n) =>
      messages([`v1/devices/b${n}/telemetry`, `v1/devices/c${n}/telemetry`]),
    );
    // The broker's next group commits arrive while the first batch is being handled.
    consumer.onConsume = (topic) => {
      if (topic === first[0].topic) for (const batch of behind) inbox.drain!(batch);
    };
    inbox.drain!(first);
    await waitFor('the backlog completed', () => inbox.completed.length === 2);
    assert.equal(writer.flushes, 2, 'the three queued batches flushed once');
    assert.deepEqual(inbox.completed, [first[0].id, behind[2][1].id]);
    assert.deepEqual(
      consumer.consumed,
      [first, ...behind].flat().map((m) => m.topic),
      'in order',
    );
  });

  it('handles the next batch while the store works, and completes batches in order', async () => {
    const { inbox, writer, consumer } = start();
    writer.hold = true;
    const first = messages(['v1/devices/a/telemetry']);
    inbox.drain!(first);
    await waitFor('the first flush', () => writer.flushes === 1);
    const releaseFirst = writer.release;
    const second = messages(['v1/devices/b/telemetry']);
    inbox.drain!(second);
    await waitFor('the second batch handled while the first is being stored', () => writer.flushes === 2);
    assert.deepEqual(consumer.consumed, ['v1/devices/a/telemetry', 'v1/devices/b/telemetry']);
    writer.release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(inbox.completed, [], 'the second is not completed before the first');
    releaseFirst();
    await waitFor('both completed', () => inbox.completed.length === 2);
    assert.deepEqual(inbox.completed, [first[0].id, second[0].id]);
  });

  it('keeps the event loop turning while a big batch drains', async () => {
    const { inbox, consumer } = start();
    // Each message costs 50 µs of CPU: 4,000 of them hold the loop for 200 ms of CPU when a
    // batch is handled in one go. CPU rather than wall time, so a loaded machine that
    // preempts the test changes neither the work nor the measure.
    consumer.onConsume = () => {
      const until = cpuMicros() + 50;
      while (cpuMicros() < until);
    };
    const batch = messages(Array.from({ length: 4000 }, (_, i) => `v1/devices/d${i}/telemetry`));
    // The loop's longest stall, as CPU spent between two turns of a 1 ms timer.
    let longestStallMs = 0;
    let last = cpuMicros();
    const probe = setInterval(() => {
      const now = cpuMicros();
      longestStallMs = Math.max(longestStallMs, (now - last) / 1000);
      last = now;
    }, 1);
    let handledWhenTimerRan = -1;
    try {
      inbox.drain!(batch);
      setTimeout(() => (handledWhenTimerRan = consumer.consumed.length), 0);
      await waitFor('the batch completed', () => inbox.completed.length === 1, 20_000);
    } finally {
      clearInterval(probe);
    }
    assert.equal(consumer.consumed.length, 4000);
    assert.ok(
      handledWhenTimerRan >= 0 && handledWhenTimerRan < 1000,
      `a timer due at once ran after ${handledWhenTimerRan} of 4000 messages`,
    );
    // Slices aim at 4 ms; the bound leaves room for a loaded machine, far below one batch.
    assert.ok(longestStallMs < 50, `the loop was held for ${longestStallMs.toFixed(1)} ms of CPU`);
  });
});

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}
