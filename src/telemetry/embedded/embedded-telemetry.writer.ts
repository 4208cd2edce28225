import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
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
 * Writes readings to SQLite in batches: one transaction per batch, flushed when the batch is
 * full or TELEMETRY_FLUSH_MS after its first reading, and at shutdown.
 */
@Injectable()
export class EmbeddedTelemetryWriter
  extends TelemetryWriter
  implements OnModuleInit, BeforeApplicationShutdown
{
  private readonly logger = new Logger(EmbeddedTelemetryWriter.name);
  private pending: Reading[] = [];
  private timer?: NodeJS.Timeout;
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
    if (this.pending.length >= this.config.TELEMETRY_BATCH_SIZE) this.writePending();
    else this.timer ??= setTimeout(() => this.writePending(), this.config.TELEMETRY_FLUSH_MS);
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
    this.writePending();
    return Promise.resolve();
  }

  beforeApplicationShutdown(): void {
    this.writePending();
  }

  private writePending(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const end = this.batchSeconds.startTimer();
    try {
      this.sqlite.connection.transaction(() => {
        for (const r of batch) this.insertReading.run(...toRow(r));
      })();
      this.written.inc(batch.length);
    } catch (err) {
      // SQLite failing (disk full, read-only) is not recoverable here: keep the batch so the
      // next flush retries it, and say so loudly.
      this.pending = batch.concat(this.pending);
      this.logger.error(`Writing ${batch.length} readings failed, will retry: ${String(err)}`);
      this.timer = setTimeout(() => this.writePending(), RETRY_AFTER_FAILURE_MS);
    } finally {
      end();
    }
  }
}

function toRow(r: Reading): (string | number | null)[] {
  const q = r.quality;
  return [
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
  ];
}
