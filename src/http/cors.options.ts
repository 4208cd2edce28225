import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface.js';

/**
 * CORS for the browser origins of CORS_ORIGINS (comma-separated), or none at all: with an empty
 * list no CORS header is ever sent, so a page of another origin cannot read an answer (OWASP
 * API8, HOSTILE-INPUTS K8). Keys travel in `Authorization`, never in cookies, so credentials
 * stay off and the origin is matched exactly, never reflected.
 */
export function corsOptions(origins: string): CorsOptions | undefined {
  const allowed = origins
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  if (allowed.length === 0) return undefined;
  return {
    origin: allowed,
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match'],
    exposedHeaders: [
      'ETag',
      'Location',
      'Retry-After',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
    ],
    maxAge: 600,
  };
}
