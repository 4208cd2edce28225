import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { verifyWebhook } from '#src/alerts/notifiers/webhook-signature.js';
import { WebhookNotifier } from '#src/alerts/notifiers/webhook.notifier.js';
import { ManualClock } from '#src/common/clock.js';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { databaseUrlPerTest, STORE_DIALECTS } from '#test/support/store-dialects.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const SECRET = 'whsec-test-0123456789abcdef';
const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);

interface Call {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A real HTTP receiver on 127.0.0.1 answering each call with the next status of `answers` (the last repeats). */
async function receiver(answers: number[]): Promise<{ url: string; calls: Call[]; server: Server }> {
  const calls: Call[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = answers[Math.min(calls.length, answers.length - 1)];
      calls.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/convoi`, calls, server };
}

// On each store: the node's SQLite queue, and PostgreSQL's (queued with the stored change, sent by the lease holder).
for (const dialect of STORE_DIALECTS)
  describe(`signed alert webhooks with retries (${WebhookNotifier.name}, ${dialect})`, () => {
    const databaseUrl = databaseUrlPerTest(dialect);
    const clock = new ManualClock(T0);
    let app: TestApp;
    let healthy: Awaited<ReturnType<typeof receiver>>;
    let flaky: Awaited<ReturnType<typeof receiver>>;
    let broken: Awaited<ReturnType<typeof receiver>>;
    let opened: AlertEvent;

    before(async () => {
      healthy = await receiver([200]);
      flaky = await receiver([500, 200]);
      broken = await receiver([503]);
      const url = await databaseUrl();
      app = await startTestApp({
        clock,
        env: {
          ...(url !== undefined && { DATABASE_URL: url }),
          ALERT_WEBHOOK_URLS: [healthy.url, flaky.url, broken.url].join(','),
          ALERT_WEBHOOK_SECRET: SECRET,
          ALERT_WEBHOOK_MAX_ATTEMPTS: '3',
        },
      });
      const device = await app.mqtt({ clientId: 'sensor-pal-7001' });
      const ts = T0 + 60_000;
      clock.set(ts);
      await device.publishAsync(deviceTelemetryTopic('sensor-pal-7001'), JSON.stringify({ ts, battery: 8 }), {
        qos: 1,
      });
    });
    after(async () => {
      await app?.close();
      for (const r of [healthy, flaky, broken]) r?.server.close();
    });

    const deliveries = async () => {
      const { status, body } = await app.request('/api/v1/admin/webhooks/deliveries');
      assert.equal(status, 200);
      return body.items as {
        url: string;
        alertId: string;
        status: string;
        attempts: number;
        lastStatus?: number;
        lastError?: string;
        deliveryId: string;
      }[];
    };
    const deliveryTo = async (url: string) => (await deliveries()).find((d) => d.url === url);

    it('posts the alert change with a valid X-Convoi-Signature', async () => {
      await waitFor('healthy receiver called', () => healthy.calls.length > 0);
      const [call] = healthy.calls;
      assert.equal(call.headers['content-type'], 'application/json');
      const signature = call.headers['x-convoi-signature'];
      const id = call.headers['x-convoi-delivery'];
      assert.equal(typeof signature, 'string');
      assert.match(String(id), /^[0-9a-f-]{36}$/);
      assert.equal(verifyWebhook(SECRET, id as string, call.body, signature as string), true);
      assert.equal(
        verifyWebhook('another-secret-of-16+', id as string, call.body, signature as string),
        false,
      );
      assert.equal(
        verifyWebhook(SECRET, id as string, call.body.replace('critical', 'info'), signature as string),
        false,
      );
      const otherId = '00000000-0000-4000-8000-000000000000';
      assert.equal(verifyWebhook(SECRET, otherId, call.body, signature as string), false, 'the id is signed');
      opened = JSON.parse(call.body) as AlertEvent;
      assert.deepEqual(
        [opened.change, opened.rule, opened.containerId, opened.severity, opened.at],
        ['opened', 'battery-low', 'PAL-7001', 'critical', T0 + 60_000],
      );
      const delivered = await waitFor('delivery logged', async () => {
        const d = await deliveryTo(healthy.url);
        return d?.status === 'delivered' ? d : undefined;
      });
      assert.deepEqual(
        [delivered.attempts, delivered.lastStatus, delivered.alertId, delivered.deliveryId],
        [1, 200, opened.alertId, id],
      );
    });

    it('retries a receiver that answered 500 and delivers on the next attempt', async () => {
      const failed = await waitFor('first attempt failed', async () => {
        const d = await deliveryTo(flaky.url);
        return d?.attempts === 1 ? d : undefined;
      });
      assert.deepEqual([failed.status, failed.lastStatus, failed.lastError], ['pending', 500, 'HTTP 500']);
      assert.equal(flaky.calls.length, 1, 'not retried before its backoff elapsed');
      clock.advance(1000); // the first backoff
      const delivered = await waitFor('retried and delivered', async () => {
        const d = await deliveryTo(flaky.url);
        return d?.status === 'delivered' ? d : undefined;
      });
      assert.deepEqual([delivered.attempts, delivered.lastStatus], [2, 200]);
      assert.equal(flaky.calls.length, 2);
      assert.equal(flaky.calls[1].body, flaky.calls[0].body, 'the same body is sent again');
      const [firstId, retryId] = flaky.calls.map((c) => c.headers['x-convoi-delivery'] as string);
      assert.equal(retryId, firstId, 'the retry carries the delivery id of the first attempt');
      assert.notEqual(firstId, healthy.calls[0].headers['x-convoi-delivery'], 'one id per receiver');
      assert.equal(
        verifyWebhook(
          SECRET,
          retryId,
          flaky.calls[1].body,
          flaky.calls[1].headers['x-convoi-signature'] as string,
        ),
        true,
      );
    });

    it('gives up after ALERT_WEBHOOK_MAX_ATTEMPTS and shows it in the delivery log', async () => {
      // The flaky receiver's retry moved the shared clock already: step through whatever is left.
      let seen = (await waitFor('first attempt failed', () => deliveryTo(broken.url)))?.attempts ?? 0;
      while (seen < 3) {
        clock.advance(4000); // longer than any backoff before the third attempt (1 s, 2 s)
        seen = await waitFor(`attempt ${seen + 1}`, async () => {
          const attempts = (await deliveryTo(broken.url))?.attempts ?? 0;
          return attempts > seen ? attempts : undefined;
        });
      }
      const given = await waitFor('given up', async () => {
        const d = await deliveryTo(broken.url);
        return d?.status === 'failed' ? d : undefined;
      });
      assert.deepEqual([given.attempts, given.lastStatus, given.lastError], [3, 503, 'HTTP 503']);
      assert.equal(broken.calls.length, 3);
      assert.ok(
        broken.calls.every((c) => c.answered === 503),
        'every attempt reached the receiver',
      );
    });

    it('sends later changes of the same alert too (a hand acknowledgement)', async () => {
      const res = await app.request(`/api/v1/alerts/${opened.alertId}/acknowledge`, {
        method: 'POST',
        body: '{}',
      });
      assert.equal(res.status, 200);
      const call = await waitFor('acknowledgement delivered', () =>
        healthy.calls.find((c) => (JSON.parse(c.body) as AlertEvent).change === 'acknowledged'),
      );
      assert.equal(
        verifyWebhook(
          SECRET,
          call.headers['x-convoi-delivery'] as string,
          call.body,
          call.headers['x-convoi-signature'] as string,
        ),
        true,
      );
      assert.equal((JSON.parse(call.body) as AlertEvent).by, 'admin (CONVOI_ADMIN_KEY)');
    });
  });
