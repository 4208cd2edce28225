import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { sql } from 'kysely';
import { Clock } from '#src/common/clock.js';
import type { JobLease } from '#src/leases/job-lease.js';
import { JobLeases } from '#src/leases/job-leases.js';
import { SINGLETON_JOBS } from '#src/leases/singleton-jobs.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { PARTITION_DAY_MS, dayOf } from './postgres-reading-partitions.js';
import { POSTGRES_TELEMETRY_MIGRATIONS, POSTGRES_TELEMETRY_SCOPE } from './postgres-telemetry.migrations.js';
import { PostgresTelemetryConfig } from './postgres-telemetry.config.js';
import { PostgresTelemetryWriter } from './postgres-telemetry.writer.js';

/** How often partitions are created ahead and old ones dropped. */
export const MAINTENANCE_INTERVAL_MS = 3_600_000;

/** What one maintenance run did. */
export interface MaintenanceReport {
  /** Days whose partition was dropped (days since the epoch). */
  droppedDays: number[];
  alertEventsDeleted: number;
  /** Whether this node held the retention-purge lease, so applied the retention (ARCHITECTURE.md §9). */
  retained: boolean;
}

/**
 * The tables' upkeep, on a timer of its own (the retention service purges the SQLite files):
 * at start the migrations, then every hour the partitions of today and tomorrow created ahead
 * (the writer creates a missing day on demand; ahead keeps that DDL off the insert), the
 * partitions of days wholly older than RETENTION_READINGS_DAYS dropped (whole days: no row by
 * row deletes, no table bloat) and alert events older than RETENTION_ALERTS_DAYS deleted.
 * Every node creates partitions ahead (`IF NOT EXISTS`: the writer needs them, whoever made
 * them); the retention is the shared store's, so only the holder of the `retention-purge` lease
 * applies it, as it purges the other tables in PostgreSQL.
 */
@Injectable()
export class PostgresTelemetryMaintenance implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private lease: JobLease | undefined;

  constructor(
    private readonly store: OperationalDatabase,
    private readonly writer: PostgresTelemetryWriter,
    private readonly config: PostgresTelemetryConfig,
    private readonly clock: Clock,
    private readonly leases: JobLeases,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.store.migrate(POSTGRES_TELEMETRY_SCOPE, POSTGRES_TELEMETRY_MIGRATIONS);
    this.lease = await this.leases.lease(SINGLETON_JOBS.retentionPurge);
    await this.runNow();
    this.timer = setInterval(() => {
      this.running = this.runNow().catch((error: unknown) =>
        this.logger.error(`Time-series maintenance failed: ${(error as Error).message}`),
      );
    }, MAINTENANCE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One run: partitions ahead, then retention. */
  async runNow(): Promise<MaintenanceReport> {
    const now = this.clock.now();
    const today = dayOf(now);
    await this.writer.partitions.ensure([today, today + 1]);
    const report: MaintenanceReport = { droppedDays: [], alertEventsDeleted: 0, retained: false };
    if (this.lease?.isHeld() !== true) return report;
    report.retained = true;
    if (this.config.RETENTION_READINGS_DAYS > 0) {
      report.droppedDays = await this.writer.partitions.dropBefore(
        now - this.config.RETENTION_READINGS_DAYS * PARTITION_DAY_MS,
      );
      if (report.droppedDays.length > 0)
        this.logger.log(
          `Dropped ${report.droppedDays.length} day(s) of readings older than ${this.config.RETENTION_READINGS_DAYS} days`,
        );
    }
    // Dropping the partitions took a while: the lease may have gone meanwhile.
    if (this.config.RETENTION_ALERTS_DAYS > 0 && this.lease.isHeld()) {
      const cutoff = now - this.config.RETENTION_ALERTS_DAYS * PARTITION_DAY_MS;
      const result = await sql`DELETE FROM alert_events WHERE at < ${cutoff}`.execute(this.store.db);
      report.alertEventsDeleted = Number(result.numAffectedRows ?? 0);
    }
    return report;
  }
}
