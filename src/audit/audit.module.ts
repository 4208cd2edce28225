import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditContextGuard } from './audit-context.guard.js';
import { AuditLog } from './audit-log.service.js';
import { AuditController } from './audit.controller.js';
import { AuditHooks } from './audit.hooks.js';
import { AuditRepository } from './audit.repository.js';

/**
 * The audit log (ARCHITECTURE.md §10): every state-changing REST request, with its actor (API key
 * name), action, target and outcome, append-only, readable by admins. Its hooks are installed
 * on the HTTP server by bootstrap.ts, in front of every route, and cost a read one method check.
 */
@Module({
  controllers: [AuditController],
  providers: [AuditRepository, AuditLog, AuditHooks, { provide: APP_GUARD, useClass: AuditContextGuard }],
  // The repository for the retention purge, which deletes old entries through it.
  exports: [AuditLog, AuditHooks, AuditRepository],
})
export class AuditModule {}
