import { HttpException } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import type { HttpConfig } from './http.config.js';
import { tagRepresentation } from './representation-etag.hook.js';
import { JSON_TYPES, jsonBodyParser, refuseNonJsonBody } from './body/request-body.parsers.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { installRequestLog, REQUEST_ID_HEADER, requestId } from './request-log.hooks.js';
import { securityHeaders } from './security-headers.hook.js';

/**
 * Largest request body, bytes: the JSON bodies of the API are small documents (a container, a
 * shipment, a page of an import); a client sending more is refused with 413 before it is read.
 */
export const HTTP_BODY_LIMIT_BYTES = 100 * 1024;

/**
 * Longest a client may take to send one whole request, ms. Fastify turns Node's own bound off
 * (0) unless told; a client trickling a body must not hold a socket for ever. Equal to Node's
 * header timeout, which may not exceed it.
 */
export const HTTP_REQUEST_TIMEOUT_MS = 60_000;

/**
 * The HTTP server under Nest: Fastify, on which a REST read costs less than half the CPU it did on
 * Express (docs/PERFORMANCE.md, sixth session), on the main thread that also carries the
 * ingestion pipeline.
 */
export function createHttpAdapter(config: HttpConfig): FastifyAdapter {
  const tls = httpsOptions(config);
  const adapter = new FastifyAdapter({
    ...(tls && { https: tls }),
    bodyLimit: HTTP_BODY_LIMIT_BYTES,
    requestTimeout: HTTP_REQUEST_TIMEOUT_MS,
    // `/api/v1/sites/` is `/api/v1/sites`, as clients (and Express before) expect.
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: refuseUnroutable,
    genReqId: requestId,
  });
  adapter.registerSecurityHook(securityHeaders);
  installRequestLog(adapter.getInstance());
  adapter.getInstance().addHook('onSend', tagRepresentation);
  const options = { bodyLimit: HTTP_BODY_LIMIT_BYTES };
  const parseJson = jsonBodyParser(adapter.getInstance());
  for (const type of JSON_TYPES) adapter.useBodyParser(type, false, options, parseJson);
  // Fastify's own `text/plain` parser goes, and `*` takes every type JSON_TYPES does not (Nest then
  // adds no form parser of its own): the API speaks JSON only.
  adapter.getInstance().removeContentTypeParser('text/plain');
  adapter.useBodyParser('*', false, options, refuseNonJsonBody);
  return adapter;
}

/**
 * A request the router refuses before any hook runs (a URL that does not decode, a parameter
 * longer than the router allows) gets the security headers and a problem+json like every other
 * refusal, not the framework's own error body.
 */
function refuseUnroutable(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  securityHeaders(request, reply.raw);
  void reply.header(REQUEST_ID_HEADER, request.id);
  new ProblemDetailsFilter().reply(new HttpException(error.message, error.statusCode ?? 400), request, reply);
}

/**
 * TLS for the API when HTTP_TLS_CERT_FILE and HTTP_TLS_KEY_FILE are both set: then HTTP_PORT
 * speaks only HTTPS (no plain-HTTP fallback that would carry API keys in clear).
 */
function httpsOptions(config: HttpConfig): { cert: Buffer; key: Buffer } | undefined {
  if (!config.HTTP_TLS_CERT_FILE || !config.HTTP_TLS_KEY_FILE) return undefined;
  return {
    cert: readFileSync(config.HTTP_TLS_CERT_FILE),
    key: readFileSync(config.HTTP_TLS_KEY_FILE),
  };
}
