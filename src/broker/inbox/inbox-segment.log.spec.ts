import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { INBOX_DIR, InboxSegmentLog } from './inbox-segment.log.js';

describe(InboxSegmentLog.name, () => {
  let dir: string;
  const message = (i: number) => ({
    topic: `v1/devices/D-${i}/telemetry`,
    payload: Buffer.from(`{"i":${i}}`),
    receivedAt: 1_000 + i,
  });
  const messages = (from: number, n: number) => Array.from({ length: n }, (_, k) => message(from + k));
  const segments = () =>
    readdirSync(join(dir, INBOX_DIR))
      .filter((f) => f.endsWith('.seg'))
      .sort();
  const payloads = (list: { payload: Buffer }[]) => list.map((m) => m.payload.toString());

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'convoi-inbox-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('numbers messages in order and replays after a restart only those past the watermark', () => {
    let { log } = InboxSegmentLog.open(dir);
    const written = [...log.append(messages(0, 3)), ...log.append(messages(3, 2))];
    assert.deepEqual(
      written.map((m) => m.id),
      [1, 2, 3, 4, 5],
    );
    log.complete(2);
    log.close();

    const reopened = InboxSegmentLog.open(dir);
    log = reopened.log;
    assert.deepEqual(payloads(reopened.leftovers), ['{"i":2}', '{"i":3}', '{"i":4}']);
    assert.deepEqual(
      reopened.leftovers.map((m) => [m.id, m.topic, m.receivedAt]),
      [
        [3, 'v1/devices/D-2/telemetry', 1002],
        [4, 'v1/devices/D-3/telemetry', 1003],
        [5, 'v1/devices/D-4/telemetry', 1004],
      ],
    );
    assert.equal(log.append(messages(5, 1))[0].id, 6, 'ids go on after the last run');
    log.close();
  });

  it('deletes a sealed segment once every message in it is stored, and keeps the others', () => {
    const { log } = InboxSegmentLog.open(dir, { segmentBytes: 200 });
    const first = log.append(messages(0, 4)); // past 200 bytes: sealed
    const second = log.append(messages(4, 4));
    log.append(messages(8, 1));
    assert.equal(segments().length, 3);
    log.complete(first.at(-1)!.id - 1);
    assert.equal(segments().length, 3, 'one message of the first segment is not stored yet');
    log.complete(second.at(-1)!.id);
    assert.deepEqual(segments(), [`${String(9).padStart(16, '0')}.seg`]);
    log.close();
  });

  it('keeps ids increasing across restarts after every segment was deleted', () => {
    let { log } = InboxSegmentLog.open(dir);
    const last = log.append(messages(0, 3)).at(-1)!.id;
    log.complete(last);
    log.close();
    assert.deepEqual(segments(), [], 'a fully stored log leaves no segment behind');
    ({ log } = InboxSegmentLog.open(dir));
    assert.equal(log.append(messages(3, 1))[0].id, last + 1);
    log.close();
  });

  it('cuts a torn tail at restart, keeps what came before, and appends cleanly after it', () => {
    let { log } = InboxSegmentLog.open(dir);
    log.append(messages(0, 2));
    log.close();
    const [segment] = segments();
    const path = join(dir, INBOX_DIR, segment);
    const whole = statSync(path).size;
    appendFileSync(path, Buffer.from([40, 0, 0, 0, 1, 2, 3])); // a record header, then nothing

    let reopened = InboxSegmentLog.open(dir);
    assert.deepEqual(payloads(reopened.leftovers), ['{"i":0}', '{"i":1}']);
    assert.equal(statSync(path).size, whole, 'the torn bytes are gone');
    reopened.log.append(messages(2, 1));
    reopened.log.close();

    reopened = InboxSegmentLog.open(dir);
    assert.deepEqual(payloads(reopened.leftovers), ['{"i":0}', '{"i":1}', '{"i":2}']);
    log = reopened.log;
    log.close();
  });

  it('replays everything kept when the watermark cannot be read', () => {
    let { log } = InboxSegmentLog.open(dir);
    log.append(messages(0, 3));
    log.complete(2);
    log.close();
    writeFileSync(join(dir, INBOX_DIR, 'completed'), Buffer.from('garbage-bytes'));
    const reopened = InboxSegmentLog.open(dir);
    assert.deepEqual(payloads(reopened.leftovers), ['{"i":0}', '{"i":1}', '{"i":2}']);
    log = reopened.log;
    log.close();
  });

  it('lets one process at a time own the inbox, and a killed owner lets go at once', async () => {
    const lockModule = new URL('./inbox-owner.lock.js', import.meta.url).href;
    mkdirSync(join(dir, INBOX_DIR), { recursive: true });
    const owner = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { InboxOwnerLock } = await import(${JSON.stringify(lockModule)});
         globalThis.owner = InboxOwnerLock.acquire(process.argv[1]); // kept: a collected lock closes
         console.log('held'); setInterval(() => {}, 1000);`,
        join(dir, INBOX_DIR),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        owner.stdout.once('data', () => resolve());
        owner.once('exit', (code) => reject(new Error(`the owner exited (${code}) before holding the lock`)));
      });
      assert.throws(
        () => InboxSegmentLog.open(dir, { ownerWaitMs: 200 }),
        /is in use by another convoi process \(waited 0.2 s for it\)/,
      );
    } finally {
      const exited = new Promise((resolve) => owner.once('exit', resolve));
      owner.kill('SIGKILL');
      await exited;
    }
    const { log } = InboxSegmentLog.open(dir, { ownerWaitMs: 200 });
    assert.equal(log.append(messages(0, 1))[0].id, 1, 'the lock of a killed process is not stale');
    log.close();
  });

  it('drops the segment being written within a housekeeping round once all of it is stored', async () => {
    const { log } = InboxSegmentLog.open(dir);
    log.complete(log.append(messages(0, 2)).at(-1)!.id);
    assert.equal(segments().length, 1);
    for (let i = 0; i < 60 && segments().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(segments(), [], 'processed payloads do not wait for the segment to fill');
    assert.equal(log.append(messages(2, 1))[0].id, 3);
    assert.equal(segments().length, 1, 'a new segment starts with the next message');
    log.close();
  });
});
