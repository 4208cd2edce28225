import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuthenticatedRequest } from '#src/auth/api-key.guard.js';
import { AuditLog } from './audit-log.service.js';
import { actionOf, auditContext, isAudited, requestPath, targetFromParams } from './audit-context.js';

/**
 * Writes one audit entry per state-changing `/api/v1` request once its response is finished,
 * with the final status: done (2xx), refused (4xx, including a role refused by the guard: 403)
 * or failed (5xx). Requests without a valid key (401) are not recorded: they have no actor, and
 * an anonymous flood must not be able to fill the log. Fastify hooks, installed before any route
 * (a request refused by a guard is audited too).
 */
@Injectable()
export class AuditHooks {
  constructor(private readonly audit: AuditLog) {}

  install(server: FastifyInstance): void {
    server.addHook('onRequest', (request, reply, done) => {
      if (isAudited(request)) this.recordWhenAnswered(request, reply);
      done();
    });
    // The id of what a successful handler created, from the body before it is serialised.
    server.addHook('preSerialization', (request, reply, payload: unknown, done) => {
      if (reply.statusCode < 400 && isAudited(request)) {
        const id = (payload as { id?: unknown } | null | undefined)?.id;
        if (typeof id === 'string' || typeof id === 'number') auditContext(request).createdId = String(id);
      }
      done(null, payload);
    });
  }

  private recordWhenAnswered(request: AuthenticatedRequest, reply: FastifyReply): void {
    const res = reply.raw;
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      const principal = request.principal;
      if (principal === undefined) return;
      const context = auditContext(request);
      const target = context.target ?? context.createdId ?? targetFromParams(request.params);
      this.audit.record({
        actor: principal.name,
        action: actionOf(request, context),
        method: request.method,
        path: requestPath(request),
        ...(target !== undefined && { target }),
        // A client that hung up before the answer: the action ran, the outcome was not sent.
        status: res.writableFinished ? res.statusCode : 499,
      });
    };
    res.once('finish', record);
    res.once('close', record);
  }
}
