import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { Metrics } from '#src/common/metrics.js';
import { encodeCursor, decodeCursor, type Page } from '#src/common/http/pagination.js';
import { AuditRepository } from './audit.repository.js';
import type { AuditEntry, AuditFilter, NewAuditEntry } from './audit.types.js';
import { redactSecrets } from '#src/auth/secret-redaction.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';

/** Most entries written in one INSERT. */
const BATCH_SIZE = 500;
/**
 * Most entries waiting for the store (PostgreSQL slow or away): beyond, entries are counted as
 * failures rather than held without bound.
 */
const MAX_QUEUED = 10_000;

/**
 * Records who did what over the REST API, and reads it back for admins. {@link record} queues the
 * entry and returns at once (its callers, the response hooks, cannot wait on a database); one
 * writer drains the queue in order, a batch per INSERT, and shutdown waits for it (twice: before
 * the HTTP server closes, and before the store closes).
 */
@Injectable()
export class AuditLog implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private readonly failures;
  private queue: NewAuditEntry[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    private readonly repository: AuditRepository,
    private readonly clock: Clock,
    metrics: Metrics,
    store: OperationalDatabase,
  ) {
    this.failures = metrics.counter(
      'convoi_audit_write_failures_total',
      'Audit entries that could not be stored (the action itself already happened)',
    );
    // Requests the HTTP server answers while it closes, after beforeApplicationShutdown, are audited too.
    store.flushBeforeClose(() => this.flush());
  }

  /**
   * Queues one entry, stamped now; never throws (the response is already sent). Free text is
   * bounded and anything shaped like an API key is masked, whatever the caller put in a URL.
   */
  record(entry: Omit<NewAuditEntry, 'atMs'>): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.failures.inc();
      this.logger.error({ action: entry.action }, 'Audit entry not stored: the write queue is full');
      return;
    }
    this.queue.push({
      atMs: this.clock.now(),
      actor: entry.actor.slice(0, 100),
      action: redactSecrets(entry.action),
      method: entry.method.slice(0, 10),
      path: redactSecrets(entry.path),
      ...(entry.target !== undefined && { target: redactSecrets(entry.target) }),
      status: entry.status,
    });
    this.draining ??= this.drain();
  }

  /** Resolves once every entry recorded so far is stored (or counted as failed). */
  async flush(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  async list(filter: AuditFilter, cursor: string | undefined, limit: number): Promise<Page<AuditEntry>> {
    const before = cursor === undefined ? undefined : cursorId(cursor);
    const rows = await this.repository.list(filter, before, limit + 1);
    const items = rows.slice(0, limit);
    const page: Page<AuditEntry> = { items };
    if (rows.length > limit) page.nextCursor = encodeCursor(String(items[items.length - 1].id));
    return page;
  }

  /** Every entry about one resource, oldest first (for the auditors' export). */
  async forTarget(target: string, max = 10_000): Promise<AuditEntry[]> {
    return (await this.repository.list({ target }, undefined, max)).reverse();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, BATCH_SIZE);
        try {
          await this.repository.insert(batch);
        } catch (error) {
          this.failures.inc(batch.length);
          this.logger.error(
            { actions: [...new Set(batch.map((e) => e.action))], count: batch.length, err: error },
            'Audit entries not stored',
          );
        }
      }
    } finally {
      this.draining = undefined;
    }
  }
}

function cursorId(cursor: string): number {
  const id = Number(decodeCursor(cursor));
  if (!Number.isSafeInteger(id) || id < 1)
    throw new DomainError('invalid', 'common.bad-cursor', 'cursor is not valid');
  return id;
}
