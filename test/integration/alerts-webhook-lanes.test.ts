import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SQLITE_FILE_MIGRATIONS } from '#src/alerts/alerts.migrations.js';
import { WebhookNotifier } from '#src/alerts/notifiers/webhook.notifier.js';
import { ManualClock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { AppConfig } from '#src/config/app-config.js';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { waitFor } from '#test/support/wait-for.js';

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);

interface Receiver {
  url: string;
  /** Alert ids in the order their requests arrived. */
  received: string[];
  /** Requests being answered right now (a lane sends one at a time). */
  open: number;
  maxOpen: number;
  server: Server;
}

/**
 * A real HTTP receiver on 127.0.0.1; `answer` decides each response (it may hold it back).
 * Every request it holds is answered when the test ends, so the server closes.
 */
async function receiver(answer: (alertId: string, res: ServerResponse) => void): Promise<Receiver> {
  const r: Receiver = { url: '', received: [], open: 0, maxOpen: 0, server: createServer() };
  r.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { alertId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertEvent;
      r.received.push(alertId);
      r.open += 1;
      r.maxOpen = Math.max(r.maxOpen, r.open);
      res.on('close', () => (r.open -= 1));
      answer(alertId, res);
    });
  });
  await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}/hook`;
  return r;
}

const event = (alertId: string): AlertEvent => ({
  alertId,
  change: 'opened',
  containerId: 'PAL-7001',
  rule: 'battery-low',
  severity: 'critical',
  status: 'active',
  acknowledged: false,
  message: 'battery low',
  at: T0,
});

describe(`webhook lanes: one per receiver (${WebhookNotifier.name})`, () => {
  const clock = new ManualClock(T0);
  let dataDir: string;
  let sqlite: SqliteDatabase;
  let notifier: WebhookNotifier;
  const receivers: Receiver[] = [];
  const held: ServerResponse[] = [];

  function start(...urls: string[]): void {
    const config = Object.assign(new AppConfig(), { DATA_DIR: dataDir, ALERT_WEBHOOK_URLS: urls.join(',') });
    sqlite = new SqliteDatabase(config);
    sqlite.migrate('alerts', SQLITE_FILE_MIGRATIONS);
    notifier = new WebhookNotifier(sqlite, config, clock, new Metrics());
    notifier.onModuleInit();
  }

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'convoi-webhook-lanes-'));
  });
  afterEach(async () => {
    // Shutdown waits for the attempts in flight: the held answers are let go while it waits.
    const stopping = notifier.beforeApplicationShutdown();
    for (const res of held.splice(0)) res.writeHead(200).end();
    await stopping;
    await Promise.all(receivers.splice(0).map((r) => new Promise((done) => r.server.close(done))));
    await sqlite.onApplicationShutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers promptly to a fast receiver while a slow one holds its first request', async () => {
    // Holds its answer to a1 until the test lets it go; answers the rest at once.
    const slow = await receiver((id, res) => (id === 'a1' ? held.push(res) : res.writeHead(200).end()));
    const fast = await receiver((_id, res) => res.writeHead(200).end());
    receivers.push(slow, fast);
    start(slow.url, fast.url);

    notifier.enqueue(event('a1'));
    await waitFor('both receivers called', () => slow.received.length === 1 && fast.received.length === 1);
    const enqueuedAt = Date.now();
    notifier.enqueue(event('a2'));
    await waitFor('the fast receiver got the next change', () => fast.received.length === 2, 3000);
    assert.ok(Date.now() - enqueuedAt < 2000, 'within a few polls, not after the slow one');
    assert.deepEqual(fast.received, ['a1', 'a2']);
    assert.deepEqual(slow.received, ['a1'], 'the slow receiver gets a2 only after answering a1');
    assert.equal(slow.open, 1);

    held.splice(0).forEach((res) => res.writeHead(200).end());
    await waitFor('the slow receiver got a2 after a1', () => slow.received.length === 2);
    assert.deepEqual(slow.received, ['a1', 'a2']);
    assert.equal(slow.maxOpen, 1, 'one request at a time per receiver');
    await waitFor('every delivery logged as delivered', () =>
      notifier.list(10).every((d) => d.status === 'delivered'),
    );
  });

  it('keeps the order at a receiver: a later change waits while an earlier one is retried', async () => {
    let calls = 0;
    const flaky = await receiver((_id, res) => res.writeHead(++calls === 1 ? 500 : 200).end());
    receivers.push(flaky);
    start(flaky.url);

    for (const id of ['b1', 'b2', 'b3']) notifier.enqueue(event(id));
    await waitFor('first attempt failed', () =>
      notifier.list(10).some((d) => d.attempts === 1 && d.lastStatus === 500),
    );
    await notifier.sendDue();
    assert.deepEqual(flaky.received, ['b1'], 'b2 and b3 wait for b1');
    clock.advance(1000); // the first backoff
    await waitFor('all delivered', () => notifier.list(10).every((d) => d.status === 'delivered'));
    assert.deepEqual(flaky.received, ['b1', 'b1', 'b2', 'b3']);
    assert.equal(flaky.maxOpen, 1);
  });
});
