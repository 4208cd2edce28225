import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { it } from 'node:test';
import type { Alert } from '#src/alerts/alert.types.js';
import { ALERTS_MIGRATIONS, ALERTS_SCOPE } from '#src/alerts/alerts.migrations.js';
import { WebhookNotifier } from '#src/alerts/notifiers/webhook.notifier.js';
import { WebhookDeliveriesRepository } from '#src/alerts/webhook-deliveries.repository.js';
import { ManualClock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { defaultConfig } from '#src/app-settings.js';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { JobLeases } from '#src/leases/job-leases.js';
import { LeasesConfig } from '#src/leases/leases.config.js';
import { describeEachStore } from '#test/support/store-dialects.js';
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

const alert = (id: string): Alert => ({
  id,
  containerId: 'PAL-7001',
  ruleId: 'battery-low',
  ruleKind: 'battery-low',
  severity: 'critical',
  status: 'active',
  acknowledged: false,
  openedAt: T0,
  lastSeenAt: T0,
  count: 1,
  message: 'battery low',
});

// The same lanes whichever store holds the queue: the node's SQLite file, or PostgreSQL (queued
// there by the alert writer, sent by the holder of the webhook-delivery lease).
describeEachStore(`webhook lanes: one per receiver (${WebhookNotifier.name})`, (current) => {
  const clock = new ManualClock(T0);
  let notifier: WebhookNotifier | undefined;
  let leases: JobLeases | undefined;
  let deliveries: WebhookDeliveriesRepository;
  const receivers: Receiver[] = [];
  const held: ServerResponse[] = [];

  async function start(...urls: string[]): Promise<void> {
    const { store, sqlite, url } = current();
    const config = defaultConfig({ ALERT_WEBHOOK_URLS: urls.join(',') });
    await store.migrate(ALERTS_SCOPE, ALERTS_MIGRATIONS);
    const metrics = new Metrics();
    deliveries = new WebhookDeliveriesRepository(store, sqlite, config, clock);
    leases = new JobLeases(new LeasesConfig({ DATABASE_URL: url }), metrics);
    notifier = new WebhookNotifier(deliveries, leases, config, clock, metrics);
    await notifier.onModuleInit();
  }

  /** Queues a change as the app does on this store: announced (SQLite), or stored (PostgreSQL). */
  async function enqueue(alertId: string): Promise<void> {
    if (current().dialect === 'sqlite') sender().enqueue(event(alertId));
    else
      await deliveries.enqueueIn(current().store.db, [
        {
          alert: alert(alertId),
          entry: { at: T0, change: 'opened', by: 'rule', severity: 'critical' },
          changeId: `change-${alertId}`,
        },
      ]);
  }

  const sender = (): WebhookNotifier => notifier ?? assert.fail('the notifier is not started');
  const all = async (status: string) => (await sender().list(10)).every((d) => d.status === status);

  /**
   * Runs a test, then stops the notifier and its lease before the store closes (the store's own
   * afterEach, declared first, runs first): shutdown waits for the attempts in flight, so the held
   * answers are let go while it waits.
   */
  async function lanes(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } finally {
      const stopping = notifier?.beforeApplicationShutdown();
      for (const res of held.splice(0)) res.writeHead(200).end();
      await stopping;
      await leases?.onApplicationShutdown();
      notifier = undefined;
      leases = undefined;
      await Promise.all(receivers.splice(0).map((r) => new Promise((done) => r.server.close(done))));
    }
  }

  it('delivers promptly to a fast receiver while a slow one holds its first request', () =>
    lanes(async () => {
      // Holds its answer to a1 until the test lets it go; answers the rest at once.
      const slow = await receiver((id, res) => (id === 'a1' ? held.push(res) : res.writeHead(200).end()));
      const fast = await receiver((_id, res) => res.writeHead(200).end());
      receivers.push(slow, fast);
      await start(slow.url, fast.url);

      await enqueue('a1');
      await waitFor('both receivers called', () => slow.received.length === 1 && fast.received.length === 1);
      const enqueuedAt = Date.now();
      await enqueue('a2');
      await waitFor('the fast receiver got the next change', () => fast.received.length === 2, 3000);
      assert.ok(Date.now() - enqueuedAt < 2000, 'within a few polls, not after the slow one');
      assert.deepEqual(fast.received, ['a1', 'a2']);
      assert.deepEqual(slow.received, ['a1'], 'the slow receiver gets a2 only after answering a1');
      assert.equal(slow.open, 1);

      held.splice(0).forEach((res) => res.writeHead(200).end());
      await waitFor('the slow receiver got a2 after a1', () => slow.received.length === 2);
      assert.deepEqual(slow.received, ['a1', 'a2']);
      assert.equal(slow.maxOpen, 1, 'one request at a time per receiver');
      await waitFor('every delivery logged as delivered', () => all('delivered'));
    }));

  it('keeps the order at a receiver: a later change waits while an earlier one is retried', () =>
    lanes(async () => {
      let calls = 0;
      const flaky = await receiver((_id, res) => res.writeHead(++calls === 1 ? 500 : 200).end());
      receivers.push(flaky);
      await start(flaky.url);

      for (const id of ['b1', 'b2', 'b3']) await enqueue(id);
      await waitFor('first attempt failed', async () =>
        (await sender().list(10)).some((d) => d.attempts === 1 && d.lastStatus === 500),
      );
      await sender().sendDue();
      assert.deepEqual(flaky.received, ['b1'], 'b2 and b3 wait for b1');
      clock.advance(1000); // the first backoff
      await waitFor('all delivered', () => all('delivered'));
      assert.deepEqual(flaky.received, ['b1', 'b1', 'b2', 'b3']);
      assert.equal(flaky.maxOpen, 1);
    }));
});
