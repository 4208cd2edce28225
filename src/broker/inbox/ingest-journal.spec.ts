import BetterSqlite3 from 'better-sqlite3';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { SegmentWrite } from './inbox-segment.log.js';
import { IngestJournal, type InboxMessage } from './ingest-journal.js';
import { moveLegacyInbox } from './legacy-inbox.js';

describe(IngestJournal.name, () => {
  let dir: string;
  let committed: InboxMessage[][];
  let heldBack: number;
  let depth: number;
  let failures: { count: number; message: string }[];
  const open = (highWater?: number, write?: SegmentWrite, handOffEveryMs?: number) =>
    new IngestJournal(
      dir,
      {
        committed: (m) => committed.push(m),
        heldBack: (n) => (heldBack += n),
        depth: (n) => (depth = n),
        failed: (count, error) => failures.push({ count, message: error.message }),
      },
      { highWater, write, handOffEveryMs },
    );
  const append = (journal: IngestJournal, n: number, acked: number[], from = 0) => {
    for (let i = from; i < from + n; i++)
      journal.append(`v1/devices/D-${i}/telemetry`, Buffer.from(`{"i":${i}}`), () => acked.push(i));
  };
  const until = async (what: () => boolean, tries = 500) => {
    for (let i = 0; i < tries && !what(); i++) await new Promise((r) => setTimeout(r, 2));
    assert.ok(what(), 'condition not reached');
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'convoi-journal-'));
    committed = [];
    heldBack = 0;
    depth = 0;
    failures = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('acknowledges a message only once its group is committed, and hands the group on in order', async () => {
    const journal = open();
    const acked: number[] = [];
    append(journal, 3, acked);
    assert.deepEqual(acked, [], 'nothing acknowledged before the commit');
    await until(() => acked.length === 3);
    assert.deepEqual(acked, [0, 1, 2]);
    await until(() => committed.length > 0);
    assert.deepEqual(
      committed.flat().map((m) => m.payload.toString()),
      ['{"i":0}', '{"i":1}', '{"i":2}'],
    );
    const ids = committed.flat().map((m) => m.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    assert.equal(depth, 3);
    journal.close();
  });

  it('acknowledges at each commit but hands the commits of one interval to the pipeline together', async () => {
    const journal = open(undefined, undefined, 300);
    const acked: number[] = [];
    const handed = () => committed.map((group) => group.map((m) => JSON.parse(m.payload.toString()).i));
    append(journal, 2, acked);
    await until(() => acked.length === 2);
    assert.deepEqual(handed(), [[0, 1]], 'the first commit after a quiet spell goes at once');
    append(journal, 3, acked, 2);
    await until(() => acked.length === 5);
    assert.deepEqual(handed(), [[0, 1]], 'acknowledged, held until the interval ends');
    await until(() => committed.length === 2);
    assert.deepEqual(handed(), [
      [0, 1],
      [2, 3, 4],
    ]);
    append(journal, 1, acked, 5);
    await until(() => acked.length === 6);
    journal.close();
    assert.deepEqual(handed(), [[0, 1], [2, 3, 4], [5]], 'close hands on what was committed');
  });

  it('loses nothing acknowledged when its thread dies with a hand-off pending: the next journal replays it', async () => {
    // The journal on a thread of its own, as the broker's, terminated (a crashed broker thread)
    // after acknowledging five messages of which it handed on two.
    const journalModule = new URL('./ingest-journal.js', import.meta.url).href;
    const thread = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       import(workerData.journalModule).then(({ IngestJournal }) => {
         const post = (m) => parentPort.postMessage(m);
         const events = { committed: (m) => post({ handed: m.map((x) => x.id) }), heldBack() {}, depth() {}, failed() {} };
         const journal = new IngestJournal(workerData.dir, events, { handOffEveryMs: 60000 });
         let acked = 0;
         const append = (n) => {
           for (let i = 0; i < n; i++) journal.append('t', Buffer.from('{}'), () => post({ acked: ++acked }));
         };
         append(2);
         parentPort.on('message', () => append(3));
       });`,
      { eval: true, workerData: { dir, journalModule } },
    );
    const handedByThread: number[] = [];
    let acked = 0;
    thread.on('message', (m: { handed?: number[]; acked?: number }) => {
      if (m.handed) handedByThread.push(...m.handed);
      if (m.acked) acked = m.acked;
    });
    try {
      await until(() => acked === 2 && handedByThread.length === 2, 5000); // a thread's start
      thread.postMessage('append three more');
      await until(() => acked === 5);
    } finally {
      await thread.terminate();
    }
    assert.deepEqual(handedByThread, [1, 2], 'three acknowledged messages were waiting for their hand-off');

    const journal = open();
    assert.equal(journal.replayLeftovers(), 5);
    assert.deepEqual(
      committed.flat().map((m) => m.id),
      [1, 2, 3, 4, 5],
      'the replay holds the acknowledged messages never handed on (and those handed on, not stored)',
    );
    journal.close();
  });

  it('keeps completed messages until they are forgotten, and replays the rest after a restart', async () => {
    let journal = open();
    append(journal, 4, []);
    await until(() => committed.flat().length === 4);
    const [first, second, third] = committed.flat();
    journal.complete(third.id);
    assert.equal(depth, 1, 'stored: no longer counted against the high water');
    journal.forget(second.id);
    journal.close();
    assert.ok(first.id < second.id);

    committed = [];
    journal = open();
    assert.equal(journal.replayLeftovers(), 2, 'stored but not checkpointed: replayed');
    assert.deepEqual(
      committed.flat().map((m) => m.payload.toString()),
      ['{"i":2}', '{"i":3}'],
    );
    journal.close();
  });

  it('counts a replayed range told stored twice off once, so the depth stays what the pipeline holds', async () => {
    let journal = open();
    append(journal, 6, []);
    await until(() => committed.flat().length === 6);
    journal.close();
    committed = [];
    // A broker thread restarted: its journal replays all six; the process had stored the first
    // four (told at the replay) and tells them again as its last batches of the dead thread land.
    journal = open(2);
    const acked: number[] = [];
    assert.equal(journal.replayLeftovers(), 6);
    const [, , , fourth, fifth, sixth] = committed.flat();
    journal.complete(fourth.id);
    assert.equal(depth, 2);
    journal.complete(fourth.id);
    assert.equal(depth, 2, 'told again: still the two the pipeline holds');
    append(journal, 1, acked, 6);
    await until(() => committed.flat().length === 7);
    assert.deepEqual(acked, [], 'two behind: the PUBACK is held');
    journal.complete(fifth.id);
    assert.equal(depth, 2);
    assert.deepEqual(acked, [], 'still two behind');
    journal.complete(sixth.id);
    assert.equal(depth, 1);
    assert.deepEqual(acked, [6], 'below the high water: released');
    journal.close();
  });

  it('holds PUBACKs while the pipeline is behind and releases them when it catches up', async () => {
    const journal = open(3);
    const acked: number[] = [];
    append(journal, 3, acked);
    await until(() => acked.length === 3);
    append(journal, 2, acked, 3);
    await until(() => committed.flat().length === 5);
    assert.deepEqual(acked, [0, 1, 2], 'durable but held: the pipeline is 3 behind');
    assert.equal(heldBack, 2);
    journal.complete(committed[0][committed[0].length - 1].id);
    assert.deepEqual(acked, [0, 1, 2, 3, 4]);
    journal.close();
  });

  it('acknowledges nothing of a group the disk had no room for, and loses nothing acknowledged around it', async () => {
    let room = Infinity; // bytes the disk still takes
    const fullDisk: SegmentWrite = (fd, bytes, offset, length) => {
      if (room <= 0)
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      const written = writeSync(fd, bytes, offset, Math.min(length, room));
      room -= written;
      return written;
    };
    const journal = open(undefined, fullDisk);
    const acked: number[] = [];
    append(journal, 2, acked);
    await until(() => acked.length === 2);
    room = 30; // the next group is torn: a record and a half would fit
    append(journal, 2, acked, 2);
    await until(() => failures.length === 1);
    assert.deepEqual(acked, [0, 1], 'the group that did not fit is not acknowledged');
    assert.deepEqual(failures, [{ count: 2, message: 'ENOSPC: no space left on device, write' }]);
    room = Infinity; // space returns
    append(journal, 1, acked, 4);
    await until(() => acked.length === 3);
    journal.close();

    committed = [];
    const reopened = open();
    assert.equal(reopened.replayLeftovers(), 3, 'every acknowledged message, none of the torn group');
    assert.deepEqual(
      committed.flat().map((m) => m.payload.toString()),
      ['{"i":0}', '{"i":1}', '{"i":4}'],
    );
    reopened.close();
  });

  it("moves older versions' unprocessed inboxes (convoi.sqlite's table, then inbox.sqlite) into the log, in order", () => {
    const legacyInbox = (file: string, rows: [string, string, number][]) => {
      const db = new BetterSqlite3(join(dir, file));
      db.exec(
        `CREATE TABLE ingest_inbox (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL,
           payload BLOB NOT NULL, received_at INTEGER NOT NULL)`,
      );
      const insert = db.prepare('INSERT INTO ingest_inbox (topic, payload, received_at) VALUES (?, ?, ?)');
      for (const [topic, payload, at] of rows) insert.run(topic, Buffer.from(payload), at);
      return db;
    };
    const main = legacyInbox('convoi.sqlite', [
      ['v1/devices/A/telemetry', 'a', 1],
      ['v1/devices/B/telemetry', 'b', 2],
    ]);
    legacyInbox('inbox.sqlite', [['v1/devices/C/telemetry', 'c', 3]]).close();
    const earlier = open();
    append(earlier, 1, []);
    earlier.close(); // a message this log already holds comes first

    assert.equal(moveLegacyInbox(main, dir), 3);
    assert.deepEqual(main.prepare('SELECT COUNT(*) AS n FROM ingest_inbox').get(), { n: 0 });
    assert.equal(existsSync(join(dir, 'inbox.sqlite')), false, 'the old inbox file is gone');
    assert.equal(moveLegacyInbox(main, dir), 0, 'nothing moved twice');
    main.close();

    committed = [];
    const journal = open();
    assert.equal(journal.replayLeftovers(), 4);
    assert.deepEqual(
      committed.flat().map((m) => [m.topic, m.payload.toString(), m.receivedAt]),
      [
        ['v1/devices/D-0/telemetry', '{"i":0}', committed[0][0].receivedAt],
        ['v1/devices/A/telemetry', 'a', 1],
        ['v1/devices/B/telemetry', 'b', 2],
        ['v1/devices/C/telemetry', 'c', 3],
      ],
    );
    journal.close();
  });
});
