import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import type { AuthenticatedRequest } from '#src/auth/api-key.guard.js';
import { AuditLog } from './audit-log.service.js';
import { actionOf, auditContext, isAudited, requestPath, targetFromParams } from './audit-context.js';

/**
 * Notes the `id` of what a successful handler answered (the resource it created), as the body
 * goes out: Nest's Express adapter writes every object body through `res.json`.
 */
function captureCreatedId(res: Response): void {
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    const id = res.statusCode < 400 ? (body as { id?: unknown } | null | undefined)?.id : undefined;
    if (typeof id === 'string' || typeof id === 'number') auditContext(res).createdId = String(id);
    return json(body);
  };
}

/**
 * Writes one audit entry per state-changing `/api/v1` request once its response is finished,
 * with the final status: done (2xx), refused (4xx, including a role refused by the guard: 403)
 * or failed (5xx). Requests without a valid key (401) are not recorded: they have no actor, and
 * an anonymous flood must not be able to fill the log.
 */
@Injectable()
export class AuditMiddleware implements NestMiddleware {
  constructor(private readonly audit: AuditLog) {}

  use(req: AuthenticatedRequest, res: Response, next: NextFunction): void {
    if (isAudited(req)) {
      let recorded = false;
      const record = (): void => {
        if (recorded) return;
        recorded = true;
        const principal = req.principal;
        if (principal === undefined) return;
        const context = auditContext(res);
        const target = context.target ?? context.createdId ?? targetFromParams(req.params);
        this.audit.record({
          actor: principal.name,
          action: actionOf(req, context),
          method: req.method,
          path: requestPath(req),
          ...(target !== undefined && { target }),
          // A client that hung up before the answer: the action ran, the outcome was not sent.
          status: res.writableFinished ? res.statusCode : 499,
        });
      };
      captureCreatedId(res);
      res.once('finish', record);
      res.once('close', record);
    }
    next();
  }
}
