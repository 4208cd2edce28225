import { HttpError, InfluxDB, type SendOptions } from '@influxdata/influxdb-client';
import { InfluxConfig } from './influx.config.js';
import { parseRetryAfter } from './retry-after.js';

/** What became of some lines of a batch after one write attempt. */
export type DeliveryOutcome =
  | { kind: 'written' }
  /** Transient: keep them (outbox) and try again, not before `retryAfterMs` when the server said so. */
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  /** Permanent: InfluxDB refused them for good (bad data, auth, missing bucket): dead letters. */
  | { kind: 'dead'; status: number; reason: string };

export interface DeliveryPart {
  lines: string[];
  outcome: DeliveryOutcome;
}

/** Bodies above this are gzipped (smaller ones cost more to compress than to send). */
const GZIP_THRESHOLD_BYTES = 1024;
const LOOPBACK_HOSTS = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * Bodies above this many bytes go gzipped to InfluxDB at `url`; none on loopback, where
 * compressing saves no network and costs CPU on both sides of the same machine (~1.2 µs per point
 * here, ~0.4 µs in influxd's gunzip).
 */
export function gzipThresholdFor(url: string): number | undefined {
  return LOOPBACK_HOSTS.test(new URL(url).hostname) ? undefined : GZIP_THRESHOLD_BYTES;
}
/** Room kept for the reason text InfluxDB sends back (partial-write messages can be long). */
const REASON_MAX_CHARS = 2000;

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * Sends one batch to `/api/v2/write` through the client's transport and says what happened to
 * every line. Not through its WriteApi: that one re-measures the UTF-8 length of every line in
 * JavaScript and copies the batch before joining it (half of the writer's CPU per point, measured),
 * and its retry buffer reads `Retry-After` as milliseconds, drops its oldest lines when full and
 * forgets everything on close. The transport is the one the WriteApi sends with (same auth,
 * timeout, gzip above a size unless on loopback, same HttpError); retrying, persisting and dead-lettering are the
 * writer's job, this class only classifies.
 */
export class InfluxDelivery {
  private readonly influx: InfluxDB;
  private readonly path: string;
  private readonly options: SendOptions;

  /** `gzip: 'always'` compresses as for a remote InfluxDB whatever the URL (tests run on loopback). */
  constructor(
    config: InfluxConfig,
    private readonly now: () => number,
    gzip: 'by-host' | 'always' = 'by-host',
  ) {
    if (!config.INFLUX_URL) throw new Error('INFLUX_URL is not set: the InfluxDB adapter needs it');
    this.influx = new InfluxDB({
      url: config.INFLUX_URL,
      token: config.INFLUX_TOKEN,
      timeout: config.INFLUX_TIMEOUT_MS,
    });
    const query = new URLSearchParams({
      org: config.INFLUX_ORG,
      bucket: config.INFLUX_BUCKET,
      precision: 'ms',
    });
    this.path = `/api/v2/write?${query.toString()}`;
    this.options = {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      gzipThreshold: gzip === 'always' ? GZIP_THRESHOLD_BYTES : gzipThresholdFor(config.INFLUX_URL),
    };
  }

  /** Writes `lines`; a 413 splits the batch in halves that are sent in turn. */
  async deliver(lines: string[]): Promise<DeliveryPart[]> {
    const outcome = await this.attempt(lines);
    if (outcome.kind === 'dead' && outcome.status === 413 && lines.length > 1) {
      const middle = Math.ceil(lines.length / 2);
      const first = await this.deliver(lines.slice(0, middle));
      const second = await this.deliver(lines.slice(middle));
      return [...first, ...second];
    }
    return [{ lines, outcome }];
  }

  private async attempt(lines: string[]): Promise<DeliveryOutcome> {
    try {
      await this.influx.transport.request(this.path, lines.join('\n'), this.options);
      return { kind: 'written' };
    } catch (error) {
      return this.classify(error);
    }
  }

  private classify(error: unknown): DeliveryOutcome {
    if (error instanceof HttpError) {
      const status = error.statusCode;
      // Defensive: the transport resolves every 2xx, so an HttpError of 2xx still means written.
      if (status >= 200 && status < 300) return { kind: 'written' };
      if (status === 408 || status === 429 || status >= 500) {
        return {
          kind: 'retry',
          reason: `http_${status}`,
          retryAfterMs: parseRetryAfter(error.headers?.['retry-after'], this.now()),
        };
      }
      const detail = error.headers?.['x-influxdb-error'] ?? error.body ?? error.message;
      const text = Array.isArray(detail) ? detail.join('; ') : String(detail);
      return { kind: 'dead', status, reason: `HTTP ${status}: ${text}`.slice(0, REASON_MAX_CHARS) };
    }
    // Timeouts, refused or cut connections and anything unknown: keep the data and retry.
    const code = errorCode(error);
    const name = error instanceof Error ? error.name : 'Error';
    if (name === 'RequestTimedOutError') return { kind: 'retry', reason: 'timeout' };
    return { kind: 'retry', reason: code ? `connection_${code}` : 'connection' };
  }
}
