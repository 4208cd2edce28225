import type { Request, Response } from 'express';
import type { AuthenticatedRequest } from '#src/auth/api-key.guard.js';
import { deriveAuditAction } from './audit-action.js';

/** What the audit guard and middleware learn about a request for its entry (on `res.locals`). */
export interface AuditContext {
  action?: string;
  target?: string;
  /** Id of the resource the handler created, from its response body. */
  createdId?: string;
}

const LOCALS_KEY = 'convoiAudit';

/** Methods that change nothing (RFC 9110 §9.2.1): not audited. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const API_PREFIX = '/api/v1/';

/** True for the requests the audit log records: state-changing calls under `/api/v1`. */
export function isAudited(req: Request): boolean {
  return !SAFE_METHODS.has(req.method) && requestPath(req).startsWith(API_PREFIX);
}

export function requestPath(req: Request): string {
  return (req.originalUrl ?? req.url).split('?')[0];
}

export function auditContext(res: Response): AuditContext {
  const locals = res.locals as Record<string, AuditContext | undefined>;
  return (locals[LOCALS_KEY] ??= {});
}

/** The route's id parameter (`:id`, else the first one), when the route has one. */
export function targetFromParams(params: Record<string, unknown> | undefined): string | undefined {
  if (!params) return undefined;
  const value = params.id ?? Object.values(params)[0];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The route as Express matched it (`/api/v1/shipments/:id`), else the path itself: a request
 * refused by a guard still has its route, a request to no route has only its path.
 */
export function routePathOf(req: AuthenticatedRequest): string {
  const route = (req as { route?: { path?: unknown } }).route;
  return typeof route?.path === 'string' ? route.path : requestPath(req);
}

export function actionOf(req: Request, context: AuditContext): string {
  return context.action ?? deriveAuditAction(req.method, routePathOf(req));
}
