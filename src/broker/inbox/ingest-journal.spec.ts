import BetterSqlite3 from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { IngestJournal, type InboxMessage } from './ingest-journal.js';
import { moveLegacyInbox } from './legacy-inbox.js';

describe(IngestJournal.name, () => {
  let dir: string;
  let committed: InboxMessage[][];
  let heldBack: number;
  let depth: number;
  const open = (highWater?: number) =>
    new IngestJournal(
      dir,
      {
        committed: (m) => committed.push(m),
        heldBack: (n) => (heldBack += n),
        depth: (n) => (depth = n),
      },
      { highWater },
    );
  const append = (journal: IngestJournal, n: number, acked: number[], from = 0) => {
    for (let i = from; i < from + n; i++)
      journal.append(`v1/devices/D-${i}/telemetry`, Buffer.from(`{"i":${i}}`), () => acked.push(i));
  };
  const until = async (what: () => boolean) => {
    for (let i = 0; i < 500 && !what(); i++) await new Promise((r) => setTimeout(r, 2));
    assert.ok(what(), 'condition not reached');
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'convoi-journal-'));
    committed = [];
    heldBack = 0;
    depth = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('acknowledges a message only once its group is committed, and hands the group on in order', async () => {
    const journal = open();
    const acked: number[] = [];
    append(journal, 3, acked);
    assert.deepEqual(acked, [], 'nothing acknowledged before the commit');
    await until(() => acked.length === 3);
    assert.deepEqual(acked, [0, 1, 2]);
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

  it('forgets completed messages and replays the rest after a restart', async () => {
    let journal = open();
    append(journal, 4, []);
    await until(() => committed.flat().length === 4);
    const [first, second] = committed.flat();
    journal.complete(second.id, 2);
    assert.equal(depth, 2);
    journal.close();
    assert.ok(first.id < second.id);

    committed = [];
    journal = open();
    assert.equal(journal.replayLeftovers(), 2);
    assert.deepEqual(
      committed.flat().map((m) => m.payload.toString()),
      ['{"i":2}', '{"i":3}'],
    );
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
    journal.complete(committed[0][committed[0].length - 1].id, 3);
    assert.deepEqual(acked, [0, 1, 2, 3, 4]);
    journal.close();
  });

  it("moves an older version's unprocessed inbox out of convoi.sqlite, in order", () => {
    const main = new BetterSqlite3(join(dir, 'convoi.sqlite'));
    main.exec(
      `CREATE TABLE ingest_inbox (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL,
         payload BLOB NOT NULL, received_at INTEGER NOT NULL)`,
    );
    const insert = main.prepare('INSERT INTO ingest_inbox (topic, payload, received_at) VALUES (?, ?, ?)');
    insert.run('v1/devices/A/telemetry', Buffer.from('a'), 1);
    insert.run('v1/devices/B/telemetry', Buffer.from('b'), 2);
    assert.equal(moveLegacyInbox(main, dir), 2);
    assert.deepEqual(main.prepare('SELECT COUNT(*) AS n FROM ingest_inbox').get(), { n: 0 });
    assert.equal(moveLegacyInbox(main, dir), 0, 'nothing moved twice');
    main.close();

    const journal = open();
    assert.equal(journal.replayLeftovers(), 2);
    assert.deepEqual(
      committed.flat().map((m) => [m.topic, m.payload.toString(), m.receivedAt]),
      [
        ['v1/devices/A/telemetry', 'a', 1],
        ['v1/devices/B/telemetry', 'b', 2],
      ],
    );
    journal.close();
  });
});
