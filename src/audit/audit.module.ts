import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditContextGuard } from './audit-context.guard.js';
import { AuditLog } from './audit-log.service.js';
import { AuditController } from './audit.controller.js';
import { AuditMiddleware } from './audit.middleware.js';
import { AuditRepository } from './audit.repository.js';

/**
 * The audit log (DESIGN.md §10): every state-changing REST request, with its actor (API key
 * name), action, target and outcome, append-only, readable by admins. The middleware is mounted
 * by bootstrap.ts as one layer in front of every route: `forRoutes('*path')` mounted one per
 * path variant (five), each matched against every request, reads included.
 */
@Module({
  controllers: [AuditController],
  providers: [
    AuditRepository,
    AuditLog,
    AuditMiddleware,
    { provide: APP_GUARD, useClass: AuditContextGuard },
  ],
  exports: [AuditLog, AuditMiddleware],
})
export class AuditModule {}
