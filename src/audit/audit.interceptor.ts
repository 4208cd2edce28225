import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { tap, type Observable } from 'rxjs';
import { AUDIT_ACTION } from './audit-action.js';
import { auditContext, isAudited, targetFromParams } from './audit-context.js';

/**
 * Tells the audit middleware what a handled request was about: the `@Audit` name if any, the
 * route's id, and the id of a created resource (from the response body). Writing the entry is
 * left to the middleware, which also sees requests a guard refused and the final status.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    if (!isAudited(req)) return next.handle();
    const res = context.switchToHttp().getResponse<Response>();
    const audit = auditContext(res);
    audit.action = this.reflector.getAllAndOverride<string>(AUDIT_ACTION, [
      context.getHandler(),
      context.getClass(),
    ]);
    audit.target = targetFromParams(req.params);
    return next.handle().pipe(
      tap((body: unknown) => {
        const id = (body as { id?: unknown } | null | undefined)?.id;
        if (typeof id === 'string' || typeof id === 'number') audit.createdId = String(id);
      }),
    );
  }
}
