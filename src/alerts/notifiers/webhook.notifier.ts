import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { AppConfig } from '#src/config/app-config.js';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { signWebhook } from './webhook-signature.js';

const POLL_MS = 500;
const BATCH = 50;
const TIMEOUT_MS = 5000;
/** Receivers served at once: a slow one holds only its own lane, and a thousand do not open a thousand sockets. */
const MAX_CONCURRENT_RECEIVERS = 8;
const MAX_BACKOFF_MS = 3_600_000;
/**
 * How long shutdown waits for attempts in flight: as long as one may take. An answer that comes
 * after SQLite closed is never recorded, so the delivery would be sent again after the restart.
 */
const SHUTDOWN_WAIT_MS = TIMEOUT_MS;

export interface WebhookDelivery {
  id: number;
  /** Sent as `X-Convoi-Delivery`, the same on every attempt (receivers drop what they already have). */
  deliveryId: string;
  url: string;
  alertId: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  lastStatus?: number;
  lastError?: string;
  createdAt: number;
  deliveredAt?: number;
}

interface DeliveryRow {
  id: number;
  delivery_id: string;
  url: string;
  alert_id: string;
  body: string;
  status: WebhookDelivery['status'];
  attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

/**
 * Sends alert changes to the configured webhooks, signed, from a durable queue in SQLite: a
 * delivery survives restarts, is retried with doubling backoff on errors and non-2xx answers,
 * and is given up after ALERT_WEBHOOK_MAX_ATTEMPTS. The table is the delivery log.
 *
 * Each receiver has its own lane: its deliveries go one at a time in the order they were made,
 * and a change waits while an earlier one to that receiver is being retried (a receiver never
 * sees "cleared" before "opened"). Lanes of different receivers run side by side, so a slow or
 * failing receiver delays only itself.
 *
 * Delivery is at least once: an attempt whose answer is lost (crash, timeout) is sent again. Each
 * delivery carries a stable id, signed with the body, so that receivers can drop repeats; and
 * shutdown waits for the attempts in flight, so a clean stop records their answers and sends
 * nothing twice.
 */
@Injectable()
export class WebhookNotifier implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookNotifier.name);
  private readonly urls: string[];
  private timer?: NodeJS.Timeout;
  /** Receivers whose lane is running. */
  private readonly lanes = new Set<string>();
  /** The running lanes, for shutdown to wait on. */
  private readonly running = new Set<Promise<void>>();
  /** Aborts the attempts still in flight when the shutdown wait is over. */
  private readonly abort = new AbortController();
  private stopped = false;
  private readonly outcomes;

  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    this.urls = config.ALERT_WEBHOOK_URLS.split(',').filter((u) => u !== '');
    this.outcomes = metrics.counter(
      'convoi_webhook_attempts_total',
      'Webhook delivery attempts, by outcome',
      ['outcome'],
    );
  }

  onModuleInit(): void {
    if (this.urls.length === 0) return;
    if (this.config.ALERT_WEBHOOK_SECRET === undefined) {
      this.logger.warn('ALERT_WEBHOOK_URLS set without ALERT_WEBHOOK_SECRET: webhook bodies are not signed');
    }
    this.timer = setInterval(() => void this.sendDue(), POLL_MS);
    this.timer.unref();
  }

  enqueue(event: AlertEvent): void {
    if (this.urls.length === 0) return;
    const body = JSON.stringify(event);
    const now = this.clock.now();
    const insert = this.sqlite.connection.prepare(
      `INSERT INTO webhook_deliveries (url, alert_id, body, status, next_attempt_at, created_at, delivery_id)
       VALUES (?, ?, ?, 'pending', ?, ?, ?)`,
    );
    for (const url of this.urls) insert.run(url, event.alertId, body, now, now, randomUUID());
  }

  /**
   * Starts a lane for each receiver with a due delivery and no lane running (at most
   * MAX_CONCURRENT_RECEIVERS lanes); resolves when the lanes it started have finished.
   */
  async sendDue(): Promise<void> {
    if (this.stopped || !this.sqlite.connection.open) return;
    const receivers = this.sqlite.connection
      .prepare<[number], { url: string }>(
        `SELECT DISTINCT url FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?`,
      )
      .all(this.clock.now());
    const started: Promise<void>[] = [];
    for (const { url } of receivers) {
      if (this.lanes.size >= MAX_CONCURRENT_RECEIVERS) break;
      if (this.lanes.has(url)) continue;
      this.lanes.add(url);
      const lane = this.drain(url).finally(() => {
        this.lanes.delete(url);
        this.running.delete(lane);
      });
      this.running.add(lane);
      started.push(lane);
    }
    await Promise.all(started);
  }

  /** One receiver's lane: its pending deliveries oldest first, until one is not due or fails. */
  private async drain(url: string): Promise<void> {
    for (;;) {
      if (this.stopped || !this.sqlite.connection.open) return;
      const pending = this.sqlite.connection
        .prepare<[string, number], DeliveryRow>(
          `SELECT * FROM webhook_deliveries WHERE status = 'pending' AND url = ? ORDER BY id LIMIT ?`,
        )
        .all(url, BATCH);
      for (const d of pending) {
        if (this.stopped || d.next_attempt_at > this.clock.now()) return;
        if (!(await this.attempt(d))) return;
      }
      if (pending.length < BATCH) return;
    }
  }

  list(limit: number): WebhookDelivery[] {
    return this.sqlite.connection
      .prepare<[number], DeliveryRow>('SELECT * FROM webhook_deliveries ORDER BY id DESC LIMIT ?')
      .all(limit)
      .map(toDelivery);
  }

  /**
   * Stops starting attempts and waits (at most SHUTDOWN_WAIT_MS) for those in flight, whose
   * answers are recorded while SQLite is still open (it closes in onApplicationShutdown, after
   * every beforeApplicationShutdown). Past the wait they are aborted and stay pending.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), SHUTDOWN_WAIT_MS);
    });
    const outcome = await Promise.race([Promise.allSettled([...this.running]), deadline]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.logger.warn(
        { waitedMs: SHUTDOWN_WAIT_MS, inFlight: this.running.size },
        'Webhook attempts still in flight at shutdown: aborted, kept pending',
      );
      this.abort.abort();
    }
  }

  /** One try; true when the delivery is settled (delivered or given up), false when it waits. */
  private async attempt(d: DeliveryRow): Promise<boolean> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'convoi-webhooks/1',
      'x-convoi-delivery': d.delivery_id,
    };
    if (this.config.ALERT_WEBHOOK_SECRET !== undefined) {
      headers['x-convoi-signature'] = signWebhook(
        this.config.ALERT_WEBHOOK_SECRET,
        d.delivery_id,
        d.body,
        Math.floor(this.clock.now() / 1000),
      );
    }
    let status: number | undefined;
    let error: string | undefined;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers,
        body: d.body,
        signal: AbortSignal.any([AbortSignal.timeout(TIMEOUT_MS), this.abort.signal]),
      });
      status = res.status;
      await res.body?.cancel();
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    if (this.abort.signal.aborted || !this.sqlite.connection.open) return false;
    const attempts = d.attempts + 1;
    const now = this.clock.now();
    if (error === undefined) {
      this.outcomes.inc({ outcome: 'delivered' });
      this.sqlite.connection
        .prepare(
          "UPDATE webhook_deliveries SET status = 'delivered', attempts = ?, last_status = ?, last_error = NULL, delivered_at = ? WHERE id = ?",
        )
        .run(attempts, status ?? null, now, d.id);
      return true;
    }
    const givenUp = attempts >= this.config.ALERT_WEBHOOK_MAX_ATTEMPTS;
    this.outcomes.inc({ outcome: givenUp ? 'given-up' : 'retry' });
    if (givenUp)
      this.logger.error(
        { alertId: d.alert_id, webhook: new URL(d.url).origin, attempts, reason: error },
        'Webhook delivery given up',
      );
    const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (attempts - 1));
    this.sqlite.connection
      .prepare(
        'UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, next_attempt_at = ? WHERE id = ?',
      )
      .run(
        givenUp ? 'failed' : 'pending',
        attempts,
        status ?? null,
        error.slice(0, 500),
        now + backoff,
        d.id,
      );
    return givenUp;
  }
}

function toDelivery(r: DeliveryRow): WebhookDelivery {
  return {
    id: r.id,
    deliveryId: r.delivery_id,
    url: r.url,
    alertId: r.alert_id,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    ...(r.last_status !== null && { lastStatus: r.last_status }),
    ...(r.last_error !== null && { lastError: r.last_error }),
    createdAt: r.created_at,
    ...(r.delivered_at !== null && { deliveredAt: r.delivered_at }),
  };
}
