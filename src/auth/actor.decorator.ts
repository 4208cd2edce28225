import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from './api-key.guard.js';

/**
 * The caller's key name (never the key), for audit trails. Routes using it are guarded, so a
 * principal is always present; `anonymous` only guards against a route wrongly marked public.
 */
export const Actor = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().principal?.name ?? 'anonymous',
);
