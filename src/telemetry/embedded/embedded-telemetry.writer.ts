import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import type { Reading } from '#src/contracts/reading.js';
import { AppConfig } from '#src/config/app-config.js';
import { Metrics } from '#src/common/metrics.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { TelemetryWriter } from '../telemetry.ports.js';
import { EMBEDDED_TELEMETRY_MIGRATIONS } from './embedded-telemetry.migrations.js';

/** Pause before retrying a batch SQLite refused. */
const RETRY_AFTER_FAILURE_MS = 1000;

/**
 * Most readings per transaction: a few milliseconds of inserts, so the event loop (REST, the
 * broker) never waits behind a whole batch; the rest follows after a turn of the loop.
 */
export const WRITE_CHUNK_READINGS = 500;

/**
 * Writes readings to SQLite in batches, written when the batch is full or TELEMETRY_FLUSH_MS
 * after its first reading, on `flush`, and at shutdown; each batch goes in transactions of at
 * most {@link WRITE_CHUNK_READINGS} readings with a turn of the event loop between them.
 */
@Injectable()
export class EmbeddedTelemetryWriter
  extends TelemetryWriter
  implements OnModuleInit, BeforeApplicationShutdown
{
  private readonly logger = new Logger(EmbeddedTelemetryWriter.name);
  private pending: Reading[] = [];
  /** Readings ever queued and ever stored: `flush` waits for the count queued at its call. */
  private queuedCount = 0;
  private storedCount = 0;
  private timer?: NodeJS.Timeout;
  private soon?: NodeJS.Immediate;
  private insertReading!: Statement;
  private insertAlert!: Statement;
  private readonly written;
  private readonly batchSeconds;

  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly config: AppConfig,
    metrics: Metrics,
  ) {
    super();
    this.written = metrics.counter(
      'convoi_telemetry_points_written_total',
      'Readings written to the time-series store',
    );
    this.batchSeconds = metrics.histogram(
      'convoi_telemetry_batch_seconds',
      'Time to write one batch of readings',
      [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    );
  }

  onModuleInit(): void {
    this.sqlite.migrate('telemetry-embedded', EMBEDDED_TELEMETRY_MIGRATIONS);
    this.insertReading = this.sqlite.connection.prepare(
      `INSERT OR REPLACE INTO readings VALUES (
         ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertAlert = this.sqlite.connection.prepare(
      'INSERT OR REPLACE INTO alert_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  write(readings: readonly Reading[]): void {
    for (const r of readings) this.pending.push(r);
    this.queuedCount += readings.length;
    // Never written here: `write` runs inside the ingestion slice, which has its own time budget.
    if (this.pending.length >= this.config.TELEMETRY_BATCH_SIZE) this.writeSoon();
    else this.timer ??= setTimeout(() => this.writeSoon(), this.config.TELEMETRY_FLUSH_MS);
  }

  writeAlert(event: AlertEvent): void {
    this.insertAlert.run(
      event.containerId,
      event.at,
      event.alertId,
      event.change,
      event.rule,
      event.severity,
      event.status,
      event.value ?? null,
      event.message,
    );
  }

  flush(): Promise<void> {
    return this.writeUpTo(this.queuedCount);
  }

  beforeApplicationShutdown(): void {
    clearTimeout(this.timer);
    clearImmediate(this.soon);
    this.timer = undefined;
    this.soon = undefined;
    while (this.pending.length > 0 && this.writeChunk());
  }

  private writeSoon(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.soon ??= setImmediate(() => {
      this.soon = undefined;
      void this.writeUpTo(this.queuedCount);
    });
  }

  /**
   * Writes until the first `target` readings ever queued are stored, chunk by chunk. Stops at a
   * failure: the chunk is kept and retried later (as the whole batch was before chunks).
   */
  private async writeUpTo(target: number): Promise<void> {
    while (this.storedCount < target) {
      if (!this.writeChunk()) return;
      if (this.storedCount < target) await yieldToEventLoop();
    }
  }

  /** Writes the oldest pending readings in one transaction; false when SQLite refused them. */
  private writeChunk(): boolean {
    if (this.pending.length === 0) return true;
    let batch: Reading[];
    if (this.pending.length <= WRITE_CHUNK_READINGS) {
      batch = this.pending;
      this.pending = [];
    } else {
      batch = this.pending.splice(0, WRITE_CHUNK_READINGS);
    }
    const end = this.batchSeconds.startTimer();
    try {
      this.sqlite.connection.transaction(() => {
        for (const r of batch) this.insert(r);
      })();
      this.storedCount += batch.length;
      this.written.inc(batch.length);
      return true;
    } catch (err) {
      // SQLite failing (disk full, read-only) is not recoverable here: keep the batch so the
      // next flush retries it, and say so loudly.
      this.pending = batch.concat(this.pending);
      this.logger.error(`Writing ${batch.length} readings failed, will retry: ${String(err)}`);
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.writeSoon(), RETRY_AFTER_FAILURE_MS);
      return false;
    } finally {
      end();
    }
  }

  /** One row, its values bound one by one (no array built per reading). */
  private insert(r: Reading): void {
    const q = r.quality;
    this.insertReading.run(
      r.containerId,
      r.measuredAt,
      r.deviceId,
      r.receivedAt,
      r.shipmentId ?? null,
      r.source,
      r.temperatureC ?? null,
      r.humidityPct ?? null,
      r.shockG ?? null,
      r.lat ?? null,
      r.lon ?? null,
      r.altM ?? null,
      r.batteryPct ?? null,
      r.doorOpen === undefined ? null : r.doorOpen ? 1 : 0,
      q.fCnt ?? null,
      q.gateways ?? null,
      q.rssi ?? null,
      q.snr ?? null,
      q.lagMs,
      q.late ? 1 : 0,
    );
  }
}
