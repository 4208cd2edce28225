import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { AuthConfig } from './auth.config.js';
import type { AuthenticatedRequest } from './api-key.guard.js';
import { ApiKeyRateLimiter } from './api-key-rate.limiter.js';

/**
 * Rate limit per API key (not per IP: many planners share an office NAT, one script may not
 * starve them): `API_RATE_LIMIT` requests in any `API_RATE_WINDOW_MS`, one budget across all
 * routes. Runs after {@link ApiKeyGuard}; public and non-HTTP routes are not limited.
 * Answers carry `X-RateLimit-Limit/Remaining/Reset`; over the limit: 429 problem+json with
 * `Retry-After` in seconds (RFC 9110 §10.2.3).
 */
@Injectable()
export class ApiKeyThrottlerGuard implements CanActivate {
  private readonly limiter: ApiKeyRateLimiter;

  constructor(
    config: AuthConfig,
    private readonly clock: Clock,
  ) {
    this.limiter = new ApiKeyRateLimiter(config.API_RATE_LIMIT, config.API_RATE_WINDOW_MS);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const principal = http.getRequest<AuthenticatedRequest>().principal;
    if (principal === undefined) return true; // public route: the key guard let it through keyless
    const decision = this.limiter.hit(principal.keyId, this.clock.now());
    const response = http.getResponse<FastifyReply>();
    if (!decision.allowed) {
      response.header('Retry-After', String(decision.retryAfterS));
      throw new DomainError(
        'too-many-requests',
        'auth.rate-limited',
        `this key made ${decision.limit} requests in the rate window: retry after ${decision.retryAfterS} s`,
      );
    }
    response.header('X-RateLimit-Limit', String(decision.limit));
    response.header('X-RateLimit-Remaining', String(decision.remaining));
    response.header('X-RateLimit-Reset', String(decision.resetS));
    return true;
  }
}
