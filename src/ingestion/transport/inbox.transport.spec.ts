import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MqttContext } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import type { IngestInbox, InboxMessage } from '#src/ingestion/inbox/ingest-inbox.js';
import type { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { waitFor } from '#test/support/wait-for.js';
import { ConsumerStatus } from './consumer-status.js';
import { InboxTransport } from './inbox.transport.js';
import { ACCEPTS_MESSAGE_BATCH, MqttMessageBatch } from './mqtt-message-batch.js';

const TELEMETRY = 'v1/devices/+/telemetry';
const STATUS = 'v1/devices/+/status';

/** The two sides of the inbox the transport uses, recorded. */
class InboxDouble {
  drain?: (messages: readonly InboxMessage[]) => void;
  readonly completed: [number, number][] = [];
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
  complete(lastId: number, count: number): void {
    this.completed.push([lastId, count]);
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

let nextId = 1;
function messages(topics: string[]): InboxMessage[] {
  return topics.map((topic) => ({ id: nextId++, topic, payload: Buffer.from(topic), receivedAt: 0 }));
}

function start(): { transport: InboxTransport; inbox: InboxDouble; writer: WriterDouble } {
  const inbox = new InboxDouble();
  const writer = new WriterDouble();
  const transport = new InboxTransport(
    inbox as unknown as IngestInbox,
    writer as unknown as TelemetryWriter,
    new ConsumerStatus(),
  );
  return { transport, inbox, writer };
}

const topicsOf = (context: MqttContext): string[] =>
  context instanceof MqttMessageBatch ? context.messages.map((m) => m.topic) : [context.getTopic()];

describe(InboxTransport.name, () => {
  it('hands a batch over in order, one call per run of a batch handler, then flushes and completes it', async () => {
    const { transport, inbox, writer } = start();
    const calls: string[][] = [];
    transport.addHandler(
      TELEMETRY,
      (_data: unknown, context: MqttContext) => Promise.resolve(calls.push(topicsOf(context))),
      true,
      { [ACCEPTS_MESSAGE_BATCH]: true },
    );
    transport.addHandler(
      STATUS,
      (_d: unknown, c: MqttContext) => Promise.resolve(calls.push(topicsOf(c))),
      true,
    );
    transport.listen(() => {});
    const t = (id: string) => `v1/devices/${id}/telemetry`;
    const s = (id: string) => `v1/devices/${id}/status`;
    const batch = messages([t('a'), t('b'), s('c'), s('d'), 'v9/unknown', t('e'), t('f'), t('g')]);
    inbox.drain!(batch);
    await waitFor('the batch completed', () => inbox.completed.length === 1);
    assert.deepEqual(calls, [[t('a'), t('b')], [s('c')], [s('d')], [t('e'), t('f'), t('g')]]);
    assert.deepEqual(inbox.completed, [[batch[batch.length - 1].id, batch.length]]);
    assert.equal(writer.flushes, 1);
  });

  it('completes a batch only once the writer has flushed what it carried', async () => {
    const { transport, inbox, writer } = start();
    transport.addHandler(TELEMETRY, () => Promise.resolve(), true, { [ACCEPTS_MESSAGE_BATCH]: true });
    transport.listen(() => {});
    writer.hold = true;
    inbox.drain!(messages(['v1/devices/a/telemetry']));
    await waitFor('the flush', () => writer.flushes === 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(inbox.completed, [], 'not completed while the flush is pending');
    writer.release();
    await waitFor('the batch completed', () => inbox.completed.length === 1);
  });

  it('closes once the batches handed over are handled, stored and completed (the writers stop after)', async () => {
    const { transport, inbox, writer } = start();
    let release: () => void = () => {};
    const handled: string[] = [];
    transport.addHandler(
      TELEMETRY,
      (_d: unknown, c: MqttContext) =>
        new Promise<void>((resolve) => {
          handled.push(...topicsOf(c));
          release = resolve;
        }),
      true,
      { [ACCEPTS_MESSAGE_BATCH]: true },
    );
    transport.listen(() => {});
    writer.hold = true;
    const batch = messages(['v1/devices/a/telemetry', 'v1/devices/b/telemetry']);
    inbox.drain!(batch);
    await waitFor('the handler called', () => handled.length === 2);
    let closed = false;
    const closing = transport.close().then(() => (closed = true));
    assert.equal(inbox.drain, undefined, 'intake stops at once');
    release();
    await waitFor('the flush', () => writer.flushes === 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(closed, false, 'not closed while the batch is being stored');
    writer.release();
    await closing;
    assert.deepEqual(inbox.completed, [[batch[1].id, 2]]);
  });

  it('merges the batches queued behind a slow handler: one flush and one completion for the backlog', async () => {
    const { transport, inbox, writer } = start();
    const calls: string[][] = [];
    let releaseHandler: () => void = () => {};
    transport.addHandler(
      TELEMETRY,
      (_d: unknown, context: MqttContext) => {
        calls.push(topicsOf(context));
        return calls.length === 1
          ? new Promise<void>((resolve) => (releaseHandler = resolve))
          : Promise.resolve();
      },
      true,
      { [ACCEPTS_MESSAGE_BATCH]: true },
    );
    transport.listen(() => {});
    const first = messages(['v1/devices/a/telemetry']);
    inbox.drain!(first);
    await waitFor('the first batch handled', () => calls.length === 1);
    const behind = [1, 2, 3].map((n) =>
      messages([`v1/devices/b${n}/telemetry`, `v1/devices/c${n}/telemetry`]),
    );
    for (const batch of behind) inbox.drain!(batch);
    releaseHandler();
    await waitFor('the backlog completed', () => inbox.completed.length === 2);
    assert.equal(writer.flushes, 2, 'the three queued batches flushed once');
    assert.deepEqual(inbox.completed, [
      [first[0].id, 1],
      [behind[2][1].id, 6],
    ]);
    assert.deepEqual(
      calls.flat(),
      [first, ...behind].flat().map((m) => m.topic),
      'in order',
    );
  });

  it('handles the next batch while the store works, and completes batches in order', async () => {
    const { transport, inbox, writer } = start();
    const handled: string[] = [];
    transport.addHandler(
      TELEMETRY,
      (_d: unknown, context: MqttContext) => Promise.resolve(handled.push(...topicsOf(context))),
      true,
      { [ACCEPTS_MESSAGE_BATCH]: true },
    );
    transport.listen(() => {});
    writer.hold = true;
    const first = messages(['v1/devices/a/telemetry']);
    inbox.drain!(first);
    await waitFor('the first flush', () => writer.flushes === 1);
    const releaseFirst = writer.release;
    const second = messages(['v1/devices/b/telemetry']);
    inbox.drain!(second);
    await waitFor('the second batch handled while the first is being stored', () => writer.flushes === 2);
    assert.deepEqual(handled, ['v1/devices/a/telemetry', 'v1/devices/b/telemetry']);
    writer.release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(inbox.completed, [], 'the second is not completed before the first');
    releaseFirst();
    await waitFor('both completed', () => inbox.completed.length === 2);
    assert.deepEqual(inbox.completed, [
      [first[0].id, 1],
      [second[0].id, 1],
    ]);
  });

  it('consumes an Observable result and goes on after a handler that fails', async () => {
    const { transport, inbox } = start();
    const seen: string[] = [];
    transport.addHandler(
      TELEMETRY,
      (_d: unknown, context: MqttContext) => {
        if (topicsOf(context).includes('v1/devices/bad/telemetry')) return Promise.reject(new Error('boom'));
        return Promise.resolve(new Observable<void>((s) => (seen.push(...topicsOf(context)), s.complete())));
      },
      true,
      { [ACCEPTS_MESSAGE_BATCH]: true },
    );
    transport.addHandler(STATUS, () => Promise.resolve(), true);
    transport.listen(() => {});
    const batch = messages(['v1/devices/bad/telemetry', 'v1/devices/x/status', 'v1/devices/ok/telemetry']);
    inbox.drain!(batch);
    await waitFor('the batch completed', () => inbox.completed.length === 1);
    assert.deepEqual(seen, ['v1/devices/ok/telemetry']);
  });

  it('keeps the event loop turning while a big batch drains', async () => {
    const { transport, inbox } = start();
    let handled = 0;
    transport.addHandler(
      TELEMETRY,
      (_d: unknown, context: MqttContext) => {
        // Each message costs 50 µs of CPU: 4,000 of them hold the loop for 200 ms of CPU when a
        // batch is handled in one go. CPU rather than wall time, so a loaded machine that
        // preempts the test changes neither the work nor the measure.
        for (const _ of topicsOf(context)) {
          const until = cpuMicros() + 50;
          while (cpuMicros() < until);
          handled++;
        }
        return Promise.resolve();
      },
      true,
      { [ACCEPTS_MESSAGE_BATCH]: true },
    );
    transport.listen(() => {});
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
      setTimeout(() => (handledWhenTimerRan = handled), 0);
      await waitFor('the batch completed', () => inbox.completed.length === 1, 20_000);
    } finally {
      clearInterval(probe);
    }
    assert.equal(handled, 4000);
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
