import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthenticatedRequest } from './api-key.guard.js';

/**
 * Rate limit per API key (not per IP: many planners share an office NAT, one script may not
 * starve them). Runs after {@link ApiKeyGuard}; public and non-HTTP routes are not limited.
 * Over the limit: 429 problem+json with `Retry-After` in seconds.
 */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return Promise.resolve(true);
    return Promise.resolve(context.switchToHttp().getRequest<AuthenticatedRequest>().principal === undefined);
  }

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    return Promise.resolve((req as unknown as AuthenticatedRequest).principal!.keyId);
  }

  /** One budget per key across all routes (the default key is per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }
}
