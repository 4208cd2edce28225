import { Injectable, Logger } from '@nestjs/common';
import { redactSecrets } from '#src/auth/secret-redaction.js';
import { IngestionConfig } from '../ingestion.config.js';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { RateLimitedLogger } from '#src/common/rate-limited.logger.js';
import type { ReadingSource } from '#src/contracts/reading.js';
import type { Rejection, RejectionReason } from '../decode-result.js';

/** One refused message, as field technicians read it over REST. */
export interface RejectionEntry {
  /** When we refused it, ISO-8601. */
  at: string;
  topic: string;
  source: ReadingSource | 'unknown';
  reason: RejectionReason;
  detail: string;
  deviceId?: string;
  /** The start of the payload: JSON text when printable, else hex. */
  excerpt: string;
}

const EXCERPT_BYTES = 160;
const PER_DEVICE = 50;

/**
 * Counts, logs and keeps the recent rejections: a bounded ring for the whole fleet and the
 * last {@link PER_DEVICE} per device (devices themselves bounded, least recent evicted).
 */
@Injectable()
export class RejectionsLog {
  private readonly logger: RateLimitedLogger;
  private readonly recent: RejectionEntry[] = [];
  private readonly byDevice = new Map<string, RejectionEntry[]>();
  private readonly counter;

  constructor(
    private readonly config: IngestionConfig,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    this.logger = new RateLimitedLogger(new Logger('Ingestion'), clock, 'rejections');
    this.counter = metrics.counter(
      'convoi_ingest_rejected_total',
      'Messages or readings refused, by reason',
      ['reason', 'source'],
    );
  }

  record(topic: string, source: RejectionEntry['source'], rejection: Rejection, payload: Buffer): void {
    this.counter.inc({ reason: rejection.reason, source });
    const entry: RejectionEntry = {
      at: new Date(this.clock.now()).toISOString(),
      topic: topic.slice(0, 200),
      source,
      reason: rejection.reason,
      detail: rejection.detail.slice(0, 500),
      ...(rejection.deviceId !== undefined && { deviceId: rejection.deviceId.slice(0, 64) }),
      excerpt: excerpt(payload),
    };
    this.push(this.recent, entry, this.config.REJECTIONS_LOG_SIZE);
    if (entry.deviceId !== undefined) this.pushForDevice(entry.deviceId, entry);
    this.log(entry);
  }

  /** Newest first. */
  list(limit: number): RejectionEntry[] {
    return this.recent.slice(-limit).reverse();
  }

  /** Newest first. */
  listForDevice(deviceId: string, limit: number): RejectionEntry[] {
    return (this.byDevice.get(deviceId) ?? []).slice(-limit).reverse();
  }

  private pushForDevice(deviceId: string, entry: RejectionEntry): void {
    const list = this.byDevice.get(deviceId) ?? [];
    this.byDevice.delete(deviceId); // re-insert: Map order is recency
    this.push(list, entry, PER_DEVICE);
    this.byDevice.set(deviceId, list);
    if (this.byDevice.size > this.config.REJECTIONS_LOG_SIZE) {
      this.byDevice.delete(this.byDevice.keys().next().value as string);
    }
  }

  private push(list: RejectionEntry[], entry: RejectionEntry, max: number): void {
    list.push(entry);
    if (list.length > max) list.splice(0, list.length - max);
  }

  private log(entry: RejectionEntry): void {
    const { reason, topic, deviceId, source, detail } = entry;
    this.logger.warn({ reason, deviceId, topic, source, detail }, 'Message rejected');
  }
}

function excerpt(payload: Buffer): string {
  const head = payload.subarray(0, EXCERPT_BYTES);
  const text = head.toString('utf8');
  // eslint-disable-next-line no-control-regex
  const printable = !/[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/.test(text);
  const shown = printable ? text : head.toString('hex');
  return redactSecrets(payload.length > EXCERPT_BYTES ? `${shown}…` : shown);
}
