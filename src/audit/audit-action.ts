import { SetMetadata } from '@nestjs/common';

export const AUDIT_ACTION = 'convoi:audit-action';

/** Names the audit action of a route when the name derived from its path would not read well. */
export const Audit = (action: string): MethodDecorator & ClassDecorator => SetMetadata(AUDIT_ACTION, action);

const VERBS: Readonly<Record<string, string>> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'update',
  DELETE: 'delete',
};

/**
 * Better names for routes whose derived name says how rather than what (routes owned by other
 * features, which cannot carry `@Audit` without touching their controllers).
 */
const RENAMED: Readonly<Record<string, string>> = {
  'key.delete': 'key.revoke',
  'alert.comments': 'alert.comment',
  'shipment.status': 'shipment.status-change',
  'device.credentials': 'device.credentials-rotate',
};

/**
 * A readable action from a route: `POST /api/v1/shipments` → `shipment.create`,
 * `PATCH /shipments/:id` → `shipment.update`, `POST /alerts/:id/acknowledge` →
 * `alert.acknowledge`, `DELETE /keys/:id` → `key.revoke`.
 */
export function deriveAuditAction(method: string, routePath: string): string {
  const parts = routePath
    .replace(/^\/?api\/v1\/?/, '')
    .split('/')
    .filter((p) => p !== '');
  const names: string[] = [];
  let endsWithParam = false;
  for (const part of parts) {
    endsWithParam = part.startsWith(':') || part.startsWith('*');
    if (!endsWithParam) names.push(part);
  }
  const verb = VERBS[method] ?? method.toLowerCase();
  if (names.length === 0) return verb;
  names[0] = singular(names[0]);
  if (names.length === 1 || endsWithParam) names.push(verb);
  const derived = names.join('.');
  return RENAMED[derived] ?? derived;
}

function singular(word: string): string {
  return word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}
