import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditContextGuard } from './audit-context.guard.js';
import { AuditLog } from './audit-log.service.js';
import { AuditController } from './audit.controller.js';
import { AuditMiddleware } from './audit.middleware.js';
import { AuditRepository } from './audit.repository.js';

/**
 * The audit log (DESIGN.md §10): every state-changing REST request, with its actor (API key
 * name), action, target and outcome, append-only, readable by admins.
 */
@Module({
  controllers: [AuditController],
  providers: [AuditRepository, AuditLog, { provide: APP_GUARD, useClass: AuditContextGuard }],
  exports: [AuditLog],
})
export class AuditModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuditMiddleware).forRoutes('*path');
  }
}
