// The input log across a crash of nats-server (SIGKILL, then a restart on the same store): what
// was acknowledged is still there, appends fail while the server is away (so the edge holds the
// PUBACK), and a running reader resumes where it was.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { partitionOf } from '#src/contracts/partition.js';
import type { LoggedEntry } from '#src/log/log-entry.js';
import type { JetStreamLog } from '#src/log/jetstream/jetstream-log.js';
import { openLog, readUntil } from '#test/support/jetstream-log.js';
import { NatsServerProcess, natsServerInstalled } from '#test/support/nats-server.js';
import { waitFor } from '#test/support/wait-for.js';

const CONTAINER = 'REEFER-001';
const PARTITION = partitionOf(CONTAINER, 8);
const entry = (i: number) => ({
  containerId: CONTAINER,
  deviceId: 'sensor-1',
  topic: 'v1/devices/sensor-1/telemetry',
  payload: Buffer.from(String(i)),
  receivedAt: i,
});
const indexOf = (e: LoggedEntry): number => Number(Buffer.from(e.payload).toString());

describe('input log on JetStream across a crash of the server', { skip: !natsServerInstalled() }, () => {
  let server: NatsServerProcess;
  const opened: JetStreamLog[] = [];
  const open = async (overrides: Record<string, string> = {}): Promise<JetStreamLog> => {
    const log = await openLog(server.url, overrides);
    opened.push(log);
    return log;
  };

  beforeEach(async () => {
    server = new NatsServerProcess();
    await server.start();
  });
  afterEach(async () => {
    for (const log of opened.splice(0)) await log.close();
    await server.dispose();
  });

  it('keeps every acknowledged entry through a SIGKILL (file storage)', async () => {
    const log = await open();
    const positions = await Promise.all(Array.from({ length: 500 }, (_, i) => log.appender.append(entry(i))));
    await server.kill();
    await server.start();
    const reopened = await open();
    const got = await readUntil(reopened, new Map([[PARTITION, 0]]), 500);
    assert.deepEqual(
      got.map((e) => [indexOf(e), e.position]),
      positions.map((p, i) => [i, p]),
    );
  });

  it('fails appends while the server is away, and takes them again once it is back', async () => {
    const log = await open({ NATS_APPEND_TIMEOUT_MS: '300' });
    await log.appender.append(entry(0));
    await server.kill();
    const started = Date.now();
    await assert.rejects(log.appender.append(entry(1)), /timeout|TIMEOUT|disconnect|closed/i);
    assert.ok(Date.now() - started < 3000, 'the append failed within its timeout, not never');
    await server.start();
    const position = await waitFor('an append accepted after the restart', () =>
      log.appender.append(entry(2)).catch(() => undefined),
    );
    assert.ok(position >= 2);
    const got = await readUntil(log, new Map([[PARTITION, 0]]), 2);
    assert.deepEqual(
      got.map(indexOf).filter((i) => i !== 1),
      [0, 2],
      'what was acknowledged is there',
    );
  });

  it('resumes a running read after the restart, without a gap or a repeat', async () => {
    const log = await open();
    const got: LoggedEntry[] = [];
    const tail = await log.reader.read(new Map([[PARTITION, 0]]), (e) => {
      got.push(e);
    });
    try {
      for (let i = 0; i < 10; i++) await log.appender.append(entry(i));
      await waitFor('the first 10 read', () => got.length >= 10);
      await server.kill();
      await server.start();
      let next = 10;
      await waitFor(
        'appends accepted after the restart',
        async () => {
          while (next < 20) {
            await log.appender.append(entry(next));
            next++;
          }
          return true;
        },
        15_000,
        100,
      );
      await waitFor('all 20 read', () => got.length >= 20, 15_000);
    } finally {
      await tail.stop();
    }
    assert.deepEqual(
      got.map(indexOf),
      Array.from({ length: 20 }, (_, i) => i),
    );
  });
});
