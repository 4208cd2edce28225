import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrokerService } from '#src/broker/broker.service.js';
import { ManualClock } from '#src/common/clock.js';
import type { StateCheckpoint } from '#src/storage/state-checkpoint.js';
import { IngestInbox, type InboxMessage } from './ingest-inbox.js';

/** What the inbox tells the broker's journal, recorded. */
class BrokerDouble {
  readonly completed: number[] = [];
  readonly forgotten: number[] = [];
  sink?: (messages: InboxMessage[]) => void;
  receiveIngested(sink: ((messages: InboxMessage[]) => void) | undefined): void {
    this.sink = sink;
  }
  completeIngested(lastId: number): void {
    this.completed.push(lastId);
  }
  forgetIngested(position: number): void {
    this.forgotten.push(position);
  }
}

/** The checkpoint's side the inbox uses: positions applied, and a way to announce one. */
class CheckpointDouble {
  readonly positions: number[] = [];
  announce: (position: number) => void = () => {};
  onCheckpointed(listener: (position: number) => void): void {
    this.announce = listener;
  }
  applied(position: number): void {
    this.positions.push(position);
  }
  readonly newFrom: number[] = [];
  newMessagesFrom(position: number): void {
    this.newFrom.push(position);
  }
}

function start(): { inbox: IngestInbox; broker: BrokerDouble; checkpoint: CheckpointDouble } {
  const broker = new BrokerDouble();
  const checkpoint = new CheckpointDouble();
  const inbox = new IngestInbox(
    broker as unknown as BrokerService,
    new ManualClock(0),
    checkpoint as unknown as StateCheckpoint,
  );
  return { inbox, broker, checkpoint };
}

describe(IngestInbox.name, () => {
  it('forgets a message only once it is both stored and covered by a state checkpoint', () => {
    const { inbox, broker, checkpoint } = start();
    inbox.applied(10);
    assert.deepEqual(checkpoint.positions, [10]);
    inbox.complete(10);
    assert.deepEqual(broker.completed, [10], 'stored: counted off the flow control at once');
    assert.deepEqual(broker.forgotten, [], 'not checkpointed yet: a crash must replay it into the rules');
    checkpoint.announce(8);
    assert.deepEqual(broker.forgotten, [8]);
    checkpoint.announce(25);
    assert.deepEqual(broker.forgotten, [8, 10], 'checkpointed beyond what is stored: up to what is stored');
    inbox.complete(30);
    assert.deepEqual(broker.forgotten, [8, 10, 25]);
    inbox.complete(31);
    assert.deepEqual(broker.forgotten, [8, 10, 25], 'nothing new to forget: not told again');
  });

  it('tells the checkpoint where the messages this run received start: before them is the replay', () => {
    const { inbox, broker, checkpoint } = start();
    const handed: number[] = [];
    inbox.attach((messages) => handed.push(...messages.map((m) => m.id)));
    const lastRun = Date.now() - 60_000;
    const message = (id: number, receivedAt: number): InboxMessage => ({
      id,
      topic: 't',
      payload: Buffer.alloc(0),
      receivedAt,
    });
    broker.sink!([message(7, lastRun), message(8, lastRun)]);
    assert.deepEqual(checkpoint.newFrom, [], 'all of it left by the last run');
    broker.sink!([message(9, lastRun), message(10, Date.now()), message(11, Date.now())]);
    assert.deepEqual(checkpoint.newFrom, [10]);
    broker.sink!([message(12, Date.now())]);
    assert.deepEqual(checkpoint.newFrom, [10], 'told once');
    assert.deepEqual(handed, [7, 8, 9, 10, 11, 12]);
  });

  it('does not hand over again what a restarted broker thread replays of this run, and tells it what is stored', () => {
    const { inbox, broker } = start();
    const handed: number[] = [];
    inbox.attach((messages) => handed.push(...messages.map((m) => m.id)));
    const message = (id: number): InboxMessage => ({
      id,
      topic: 't',
      payload: Buffer.alloc(0),
      receivedAt: Date.now(),
    });
    broker.sink!([message(1), message(2), message(3)]);
    inbox.complete(2);
    // The broker thread died and its successor replays everything not forgotten, then goes on.
    broker.sink!([message(1), message(2), message(3), message(4)]);
    broker.sink!([message(5)]);
    assert.deepEqual(handed, [1, 2, 3, 4, 5], 'each message handed to the pipeline once');
    assert.deepEqual(
      broker.completed,
      [2, 2],
      'the new journal told what is stored (the old one may not have heard)',
    );
    inbox.complete(3);
    assert.deepEqual(
      broker.completed,
      [2, 2, 3],
      'the rest of the replay told once it is stored, not before',
    );
    broker.sink!([message(4), message(5)]);
    assert.deepEqual(handed, [1, 2, 3, 4, 5], 'a replay of nothing new hands nothing over');
    assert.deepEqual(inbox.backlog().messages, 2);
  });
});
