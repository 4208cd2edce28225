import type { FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import { urlPath } from '#src/common/url-path.js';

/** Where the Swagger UI and its assets are served (bootstrap.ts `SwaggerModule.setup`). */
const DOCS_PATH = '/api/docs';

/**
 * Nothing of the API is meant to be rendered, framed or fetched by a page: no sources at all,
 * no framing (OWASP REST Security Cheat Sheet, "Security headers").
 */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The Swagger UI loads its bundle and init script from its own origin, sets inline styles, shows
 * data: icons, and calls the API (`connect-src`); nothing else, and never from another origin.
 */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** One year: the usual HSTS lifetime (RFC 6797 §6.1.1), only ever sent over TLS (§7.2). */
const HSTS = 'max-age=31536000';

/**
 * Security headers on every HTTP response, errors included (HOSTILE-INPUTS K, OWASP API8):
 * no MIME sniffing, no framing, no referrer, no caching of API answers (they carry fleet data
 * and are only valid for the key that asked), a CSP, and HSTS when the request came over TLS.
 * Installed with the adapter's security hook, which runs before routing decisions reach a
 * handler and also for the router's own refusals (a malformed URL), so no answer goes without.
 */
export function securityHeaders(
  request: FastifyRequest,
  response: { setHeader(name: string, value: string): unknown },
): undefined {
  const path = urlPath(request.raw.url ?? '');
  const docs = path === DOCS_PATH || path.startsWith(`${DOCS_PATH}/`);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader('Content-Security-Policy', docs ? DOCS_CSP : API_CSP);
  response.setHeader('Cache-Control', 'no-store');
  if ((request.raw.socket as Partial<TLSSocket>).encrypted === true) {
    response.setHeader('Strict-Transport-Security', HSTS);
  }
  return undefined;
}
