import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { AuditRepository } from '#src/audit/audit.repository.js';
import { backgroundPause } from '#src/common/background-pause.js';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import type { JobLease } from '#src/leases/job-lease.js';
import { JobLeases } from '#src/leases/job-leases.js';
import { SINGLETON_JOBS } from '#src/leases/singleton-jobs.js';
import { RetentionConfig } from './retention.config.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { TelemetryDatabase } from '#src/telemetry/embedded/telemetry-database.js';
import { RetentionStores } from './retention-stores.js';
import {
  RETENTION_TARGETS,
  type RetentionContext,
  type RetentionKind,
  type RetentionTarget,
} from './retention.targets.js';

const DAY_MS = 86_400_000;
/** The first purge waits this long after start, so it never competes with start-up work. */
const FIRST_RUN_DELAY_MS = 60_000;

/** What one purge did. */
export interface PurgeReport {
  /** Epoch ms (the injected clock) the cutoffs were computed from. */
  at: number;
  durationMs: number;
  /** Longest single transaction, ms: how long ingestion could have waited on the purge. */
  longestBatchMs: number;
  batches: number;
  purged: Partial<Record<RetentionKind, number>>;
  /** Kinds whose purge stopped on an error (e.g. a row still referenced), with the message. */
  errors: Partial<Record<RetentionKind, string>>;
  /**
   * Whether this node held the retention-purge lease throughout, so purged the shared store
   * (PostgreSQL) as well as its own files; false when another node purges it. Always true on SQLite.
   */
  shared: boolean;
}

/**
 * Enforces retention in every store (PostgreSQL for the features on it, the SQLite files for the
 * others): on a schedule, deletes the rows of each kind older than its configured number of days,
 * in bounded batches (`RETENTION_BATCH_SIZE` rows, each one statement or one transaction),
 * pausing between them so MQTT intake and REST keep flowing during a large purge.
 *
 * With several nodes on one PostgreSQL (ARCHITECTURE.md §9) every node purges its own SQLite
 * files, and only the holder of the `retention-purge` lease purges the tables in PostgreSQL,
 * asking before each batch: a node that loses the lease stops there. A purge by hand
 * ({@link purgeNow}) follows the same rule, so there is one way to purge and never two nodes
 * deleting the same rows.
 */
@Injectable()
export class RetentionPurgeService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private readonly purgedRows;
  private readonly errorsTotal;
  private readonly lastRun;
  private readonly lastDuration;
  private readonly longestBatch;
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<PurgeReport> | undefined;
  private stopping = false;
  private readonly stores: RetentionStores;
  private lease: JobLease | undefined;

  constructor(
    store: OperationalDatabase,
    sqlite: SqliteDatabase,
    private readonly audit: AuditRepository,
    private readonly config: RetentionConfig,
    private readonly clock: Clock,
    private readonly leases: JobLeases,
    metrics: Metrics,
    /** The embedded time series' file; absent when they are in InfluxDB. */
    @Optional() telemetry?: TelemetryDatabase,
  ) {
    // On SQLite the operational store is the SQLite file's connection already: not a second time.
    const files = [...(store.dialect === 'postgres' ? [sqlite.connection] : []), telemetry?.connection];
    this.stores = new RetentionStores(
      store,
      files.filter((f) => f !== undefined),
    );
    this.purgedRows = metrics.counter('convoi_retention_purged_rows_total', 'Rows deleted by retention', [
      'kind',
    ]);
    this.errorsTotal = metrics.counter('convoi_retention_errors_total', 'Purges stopped by an error', [
      'kind',
    ]);
    this.lastRun = metrics.gauge(
      'convoi_retention_last_run_timestamp_seconds',
      'When the last retention purge finished (clock time, s)',
    );
    this.lastDuration = metrics.gauge(
      'convoi_retention_last_run_duration_seconds',
      'Duration of the last purge',
    );
    this.longestBatch = metrics.gauge(
      'convoi_retention_longest_batch_seconds',
      'Longest single delete transaction of the last purge',
    );
  }

  async onModuleInit(): Promise<void> {
    this.lease = await this.leases.lease(SINGLETON_JOBS.retentionPurge);
  }

  onApplicationBootstrap(): void {
    const run = (): void => {
      this.purgeNow().catch((error: unknown) =>
        this.logger.error(`Retention purge failed: ${(error as Error).message}`),
      );
    };
    const first = setTimeout(run, Math.min(FIRST_RUN_DELAY_MS, this.config.RETENTION_PURGE_INTERVAL_MS));
    const every = setInterval(run, this.config.RETENTION_PURGE_INTERVAL_MS);
    first.unref();
    every.unref();
    this.timers = [first, every];
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    // The store connections close after this hook returns: let the current batch end first.
    await this.running?.catch(() => undefined);
  }

  /**
   * Runs a purge now (tests, operators) and resolves with its report. A purge already running is
   * awaited first, then a fresh one runs, so the cutoffs are computed from the clock as it is now.
   */
  async purgeNow(): Promise<PurgeReport> {
    while (this.running) await this.running.catch(() => undefined);
    const run = this.purge();
    this.running = run;
    try {
      return await run;
    } finally {
      this.running = undefined;
    }
  }

  private async purge(): Promise<PurgeReport> {
    const started = performance.now();
    const report: PurgeReport = {
      at: this.clock.now(),
      durationMs: 0,
      longestBatchMs: 0,
      batches: 0,
      purged: {},
      errors: {},
      shared: this.isRunner(),
    };
    const located = await this.stores.locate();
    const context: RetentionContext = { storeOf: located.storeOf, audit: this.audit };
    for (const target of RETENTION_TARGETS) {
      const days = target.days(this.config);
      const present = target.tables.every((table) => context.storeOf(table) !== undefined);
      if (days === 0 || this.stopping || !present) continue;
      const shared = located.isShared(target.tables[0]);
      if (shared && !this.isRunner()) {
        report.shared = false;
        continue;
      }
      try {
        await this.purgeKind(context, target, report.at - days * DAY_MS, report, shared);
      } catch (error) {
        report.errors[target.kind] = (error as Error).message;
        this.errorsTotal.inc({ kind: target.kind });
        this.logger.warn({ target: target.kind, err: error }, 'Retention purge stopped');
      }
    }
    report.durationMs = performance.now() - started;
    this.lastRun.set(this.clock.now() / 1000);
    this.lastDuration.set(report.durationMs / 1000);
    this.longestBatch.set(report.longestBatchMs / 1000);
    this.logReport(report);
    return report;
  }

  private async purgeKind(
    context: RetentionContext,
    target: RetentionTarget,
    cutoffMs: number,
    report: PurgeReport,
    shared: boolean,
  ): Promise<void> {
    const batch = target.start(context, cutoffMs, this.config.RETENTION_BATCH_SIZE);
    for (;;) {
      if (this.stopping) return;
      // The lease may have gone during the pause: another node may be purging already.
      if (shared && !this.isRunner()) {
        report.shared = false;
        return;
      }
      const t0 = performance.now();
      const { deleted, more } = await batch();
      report.longestBatchMs = Math.max(report.longestBatchMs, performance.now() - t0);
      report.batches += 1;
      if (deleted > 0) {
        report.purged[target.kind] = (report.purged[target.kind] ?? 0) + deleted;
        this.purgedRows.inc({ kind: target.kind }, deleted);
      }
      if (!more) return;
      // Let ingestion, rules and REST run between two transactions.
      await backgroundPause(performance.now() - t0);
    }
  }

  /** Whether this node purges the shared store now (always, on SQLite). */
  private isRunner(): boolean {
    return this.lease?.isHeld() ?? false;
  }

  private logReport(report: PurgeReport): void {
    const kinds = Object.entries(report.purged).map(([kind, n]) => `${kind} ${n}`);
    const timing = `${report.batches} batches in ${Math.round(report.durationMs)} ms, longest ${report.longestBatchMs.toFixed(1)} ms`;
    if (kinds.length > 0) this.logger.log(`Retention purge deleted ${kinds.join(', ')} (${timing})`);
    else this.logger.debug(`Retention purge: nothing older than the retention (${timing})`);
  }
}
