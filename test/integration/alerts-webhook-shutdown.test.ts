import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyWebhook } from '#src/alerts/notifiers/webhook-signature.js';
import { WebhookNotifier } from '#src/alerts/notifiers/webhook.notifier.js';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { databaseUrlPerTest, STORE_DIALECTS } from '#test/support/store-dialects.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const SECRET = 'whsec-test-0123456789abcdef';
/** How long the receiver holds its 200: the stop happens meanwhile. */
const HOLD_MS = 3000;

interface Call {
  headers: IncomingHttpHeaders;
  body: string;
  answeredAt?: number;
}

/** A real receiver on 127.0.0.1 that answers 200 to every call, HOLD_MS after it came in. */
async function slowReceiver(): Promise<{ url: string; calls: Call[]; server: Server }> {
  const calls: Call[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const call: Call = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      calls.push(call);
      setTimeout(() => {
        call.answeredAt = Date.now();
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      }, HOLD_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/convoi`, calls, server };
}

for (const dialect of STORE_DIALECTS)
  describe(`webhook delivery across a stop (${WebhookNotifier.name}, ${dialect})`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'convoi-webhook-stop-'));
    const databaseUrl = databaseUrlPerTest(dialect);
    let url: string | undefined;
    let receiver: Awaited<ReturnType<typeof slowReceiver>>;
    let app: TestApp | undefined;

    before(async () => {
      receiver = await slowReceiver();
      url = await databaseUrl();
    });
    after(async () => {
      await app?.close();
      receiver?.server.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const start = () =>
      startTestApp({
        dataDir,
        env: {
          ALERT_WEBHOOK_URLS: receiver.url,
          ALERT_WEBHOOK_SECRET: SECRET,
          ...(url !== undefined && { DATABASE_URL: url }),
        },
      });

    it('delivers a change once when the app stops while the answer is in flight', async () => {
      const first = await start();
      app = first;
      const device = await first.mqtt({ clientId: 'sensor-pal-7001' });
      await device.publishAsync(
        deviceTelemetryTopic('sensor-pal-7001'),
        JSON.stringify({ ts: Date.now(), battery: 8 }),
        { qos: 1 },
      );
      await waitFor('the receiver holding the "opened" change', () => receiver.calls.length === 1);
      // SIGTERM does this (main.ts): stop intake, then close the app.
      await first.close({ keepData: true });
      app = undefined;

      const second = await start();
      app = second;
      const { body } = await second.request('/api/v1/admin/webhooks/deliveries');
      const items = body.items as { status: string; attempts: number; deliveryId: string }[];
      assert.deepEqual(
        items.map((d) => [d.status, d.attempts]),
        [['delivered', 1]],
        'the answer was recorded before the store closed: nothing left to send after the restart',
      );
      assert.ok(receiver.calls[0].answeredAt !== undefined, 'the stop waited for the answer');
      // The restarted app sends what is pending at once: give it the chance it would take.
      await second.running.app.get(WebhookNotifier).sendDue();
      assert.equal(receiver.calls.length, 1, 'the change reached the receiver once');
      const [call] = receiver.calls;
      assert.equal((JSON.parse(call.body) as AlertEvent).change, 'opened');
      assert.equal(call.headers['x-convoi-delivery'], items[0].deliveryId);
      assert.equal(
        verifyWebhook(SECRET, items[0].deliveryId, call.body, call.headers['x-convoi-signature'] as string),
        true,
      );
    });
  });
