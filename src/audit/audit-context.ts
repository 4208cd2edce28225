import type { FastifyRequest } from 'fastify';
import { urlPath } from '#src/common/url-path.js';
import { deriveAuditAction } from './audit-action.js';

/** What the audit guard and hooks learn about a request for its entry. */
export interface AuditContext {
  action?: string;
  target?: string;
  /** Id of the resource the handler created, from its response body. */
  createdId?: string;
}

/** One per audited request, gone with it. */
const contexts = new WeakMap<FastifyRequest, AuditContext>();

/** Methods that change nothing (RFC 9110 §9.2.1): not audited. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const API_PREFIX = '/api/v1/';

/** True for the requests the audit log records: state-changing calls under `/api/v1`. */
export function isAudited(req: FastifyRequest): boolean {
  return !SAFE_METHODS.has(req.method) && requestPath(req).startsWith(API_PREFIX);
}

/** The path the client asked for, without its query. */
export function requestPath(req: FastifyRequest): string {
  return urlPath(req.raw.url ?? req.url);
}

export function auditContext(req: FastifyRequest): AuditContext {
  let context = contexts.get(req);
  if (context === undefined) contexts.set(req, (context = {}));
  return context;
}

/** The route's id parameter (`:id`, else the first one), when the route has one. */
export function targetFromParams(params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null) return undefined;
  const values = params as Record<string, unknown>;
  const value = values.id ?? Object.values(values)[0];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The route as the router matched it (`/api/v1/shipments/:id`), else the path itself: a request
 * refused by a guard still has its route, a request to no route has only its path.
 */
export function routePathOf(req: FastifyRequest): string {
  const route = req.routeOptions.url;
  return typeof route === 'string' ? route : requestPath(req);
}

export function actionOf(req: FastifyRequest, context: AuditContext): string {
  return context.action ?? deriveAuditAction(req.method, routePathOf(req));
}
