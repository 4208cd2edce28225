import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { AlertWebhookConfig } from '../alerts.config.js';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import type { JobLease } from '#src/leases/job-lease.js';
import { JobLeases } from '#src/leases/job-leases.js';
import { SINGLETON_JOBS } from '#src/leases/singleton-jobs.js';
import { WebhookDeliveriesRepository, type DeliveryRow } from '../webhook-deliveries.repository.js';
import { signWebhook } from './webhook-signature.js';

const POLL_MS = 500;
const BATCH = 50;
const TIMEOUT_MS = 5000;
/** Receivers served at once: a slow one holds only its own lane, and a thousand do not open a thousand sockets. */
const MAX_CONCURRENT_RECEIVERS = 8;
const MAX_BACKOFF_MS = 3_600_000;
/**
 * How long shutdown waits for attempts in flight: as long as one may take. An answer that comes
 * after the store closed is never recorded, so the delivery would be sent again after the restart.
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

/**
 * Sends alert changes to the configured webhooks, signed, from a durable queue in the operational
 * store ({@link WebhookDeliveriesRepository}): a delivery survives restarts, is retried with
 * doubling backoff on errors and non-2xx answers, and is given up after
 * ALERT_WEBHOOK_MAX_ATTEMPTS. The table is the delivery log.
 *
 * Each receiver has its own lane: its deliveries go one at a time in the order they were queued,
 * and a change waits while an earlier one to that receiver is being retried (a receiver never
 * sees "cleared" before "opened"). Lanes of different receivers run side by side, so a slow or
 * failing receiver delays only itself.
 *
 * One node sends (ARCHITECTURE.md §9): the holder of the `webhook-delivery` lease, asked before
 * each poll and each attempt, so a node that loses it stops at its next attempt. On SQLite the
 * lease is always held (the queue is the node's own); with PostgreSQL the queue is shared and the
 * holder sends every node's deliveries. Nothing is claimed: a delivery stays pending until its
 * answer is recorded, so what a dead holder was sending is sent again by the next one.
 *
 * Delivery is at least once: an attempt whose answer is lost (crash, timeout, a lease lost during
 * the attempt) is sent again, with the same id. Each delivery carries a stable id, signed with the
 * body, so that receivers can drop repeats; and shutdown waits for the attempts in flight, so a
 * clean stop records their answers and sends nothing twice.
 */
@Injectable()
export class WebhookNotifier implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookNotifier.name);
  private timer?: NodeJS.Timeout;
  private lease?: JobLease;
  /** Receivers whose lane is running. */
  private readonly lanes = new Set<string>();
  /** The running lanes, for shutdown to wait on. */
  private readonly running = new Set<Promise<void>>();
  /** Aborts the attempts still in flight when the shutdown wait is over. */
  private readonly abort = new AbortController();
  private stopped = false;
  private readonly outcomes;

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly leases: JobLeases,
    private readonly config: AlertWebhookConfig,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    this.outcomes = metrics.counter(
      'convoi_webhook_attempts_total',
      'Webhook delivery attempts, by outcome',
      ['outcome'],
    );
  }

  async onModuleInit(): Promise<void> {
    if (this.deliveries.urls.length === 0) return;
    if (this.config.ALERT_WEBHOOK_SECRET === undefined) {
      this.logger.warn('ALERT_WEBHOOK_URLS set without ALERT_WEBHOOK_SECRET: webhook bodies are not signed');
    }
    this.lease = await this.leases.lease(SINGLETON_JOBS.webhookDelivery);
    this.timer = setInterval(() => {
      this.sendDue().catch((err: unknown) =>
        this.logger.warn({ err }, 'Webhook deliveries not read: trying again at the next poll'),
      );
    }, POLL_MS);
    this.timer.unref();
  }

  /**
   * Queues the change's deliveries. On SQLite now, as the change is announced; on PostgreSQL the
   * alert writer queued them already, in the transaction that stored the change.
   */
  enqueue(event: AlertEvent): void {
    if (this.deliveries.urls.length === 0 || this.deliveries.shared) return;
    this.deliveries.enqueueNow(event);
  }

  /**
   * Starts a lane for each receiver with a due delivery and no lane running (at most
   * MAX_CONCURRENT_RECEIVERS lanes); resolves when the lanes it started have finished. Does
   * nothing unless this node holds the lease.
   */
  async sendDue(): Promise<void> {
    if (this.stopped || !this.isSender()) return;
    const receivers = await this.deliveries.dueReceivers(this.clock.now());
    const started: Promise<void>[] = [];
    for (const url of receivers) {
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
      if (this.stopped) return;
      const pending = await this.deliveries.pendingOf(url, BATCH);
      for (const d of pending) {
        // The lease may have gone since the last attempt: another node may be sending already.
        if (this.stopped || !this.isSender() || d.next_attempt_at > this.clock.now()) return;
        if (!(await this.attempt(d))) return;
      }
      if (pending.length < BATCH) return;
    }
  }

  async list(limit: number): Promise<WebhookDelivery[]> {
    return (await this.deliveries.list(limit)).map(toDelivery);
  }

  /**
   * Stops starting attempts and waits (at most SHUTDOWN_WAIT_MS) for those in flight, whose
   * answers are recorded while the store is still open (it closes in onApplicationShutdown, after
   * every beforeApplicationShutdown; the lease is given up after that). Past the wait they are
   * aborted and stay pending.
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

  /** Whether this node sends the deliveries now (always on SQLite). */
  private isSender(): boolean {
    return this.lease?.isHeld() ?? false;
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
    if (this.abort.signal.aborted) return false;
    const attempts = d.attempts + 1;
    const now = this.clock.now();
    if (error === undefined) {
      this.outcomes.inc({ outcome: 'delivered' });
      return this.deliveries.record(d, {
        status: 'delivered',
        attempts,
        lastStatus: status ?? null,
        lastError: null,
        nextAttemptAt: d.next_attempt_at,
        deliveredAt: now,
      });
    }
    const givenUp = attempts >= this.config.ALERT_WEBHOOK_MAX_ATTEMPTS;
    this.outcomes.inc({ outcome: givenUp ? 'given-up' : 'retry' });
    if (givenUp)
      this.logger.error(
        { alertId: d.alert_id, webhook: new URL(d.url).origin, attempts, reason: error },
        'Webhook delivery given up',
      );
    const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (attempts - 1));
    const recorded = await this.deliveries.record(d, {
      status: givenUp ? 'failed' : 'pending',
      attempts,
      lastStatus: status ?? null,
      lastError: error.slice(0, 500),
      nextAttemptAt: now + backoff,
      deliveredAt: null,
    });
    return recorded && givenUp;
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
