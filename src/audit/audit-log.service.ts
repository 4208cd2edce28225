import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { Metrics } from '#src/common/metrics.js';
import { encodeCursor, decodeCursor, type Page } from '#src/common/http/pagination.js';
import { AuditRepository } from './audit.repository.js';
import type { AuditEntry, AuditFilter, NewAuditEntry } from './audit.types.js';
import { redactSecrets } from '#src/auth/secret-redaction.js';

/** Records who did what over the REST API, and reads it back for admins. */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger('Audit');
  private readonly failures;

  constructor(
    private readonly repository: AuditRepository,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    this.failures = metrics.counter(
      'convoi_audit_write_failures_total',
      'Audit entries that could not be stored (the action itself already happened)',
    );
  }

  /**
   * Stores one entry; never throws (the response is already sent). Free text is bounded and
   * anything shaped like an API key is masked, whatever the caller put in a URL.
   */
  record(entry: Omit<NewAuditEntry, 'atMs'>): void {
    try {
      this.repository.insert({
        atMs: this.clock.now(),
        actor: entry.actor.slice(0, 100),
        action: redactSecrets(entry.action),
        method: entry.method.slice(0, 10),
        path: redactSecrets(entry.path),
        ...(entry.target !== undefined && { target: redactSecrets(entry.target) }),
        status: entry.status,
      });
    } catch (error) {
      this.failures.inc();
      this.logger.error({ action: entry.action, err: error }, 'Audit entry not stored');
    }
  }

  list(filter: AuditFilter, cursor: string | undefined, limit: number): Page<AuditEntry> {
    const rows = this.repository.list(filter, cursor === undefined ? undefined : cursorId(cursor), limit + 1);
    const items = rows.slice(0, limit);
    const page: Page<AuditEntry> = { items };
    if (rows.length > limit) page.nextCursor = encodeCursor(String(items[items.length - 1].id));
    return page;
  }

  /** Every entry about one resource, oldest first (for the auditors' export). */
  forTarget(target: string, max = 10_000): AuditEntry[] {
    return this.repository.list({ target }, undefined, max).reverse();
  }
}

function cursorId(cursor: string): number {
  const id = Number(decodeCursor(cursor));
  if (!Number.isSafeInteger(id) || id < 1)
    throw new DomainError('invalid', 'common.bad-cursor', 'cursor is not valid');
  return id;
}
