import { HttpException } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyBodyParser, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import type { AppConfig } from '#src/config/app-config.js';
import { answerNotModified } from './not-modified.hook.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { installRequestLog, REQUEST_ID_HEADER, requestId } from './request-log.hooks.js';
import { securityHeaders } from './security-headers.hook.js';

/**
 * Largest request body, bytes: the JSON bodies of the API are small documents (a container, a
 * shipment, a page of an import); a client sending more is refused with 413 before it is read.
 */
export const HTTP_BODY_LIMIT_BYTES = 100 * 1024;

/** A media type with the `+json` structured syntax suffix, parameters allowed. */
const JSON_SUFFIX_TYPE = /^application\/[\w.!#$&^-]+\+json\s*(;|$)/i;

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
export function createHttpAdapter(config: AppConfig): FastifyAdapter {
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
  adapter.getInstance().addHook('onSend', answerNotModified);
  const strictJson = adapter.getInstance().getDefaultJsonParser('error', 'error');
  // An empty body under `Content-Type: application/json` is `{}`, not a 400: clients send that
  // header on DELETEs and action POSTs (acknowledge, unbind) that carry nothing. A `+json` type
  // (RFC 6839), such as the `application/merge-patch+json` of JSON Merge Patch clients on PATCH,
  // is JSON too.
  const parseJson: FastifyBodyParser<Buffer> = (req, body, done) => {
    if (body.length === 0) done(null, {});
    else void strictJson(req, body.toString(), done);
  };
  for (const type of ['application/json', JSON_SUFFIX_TYPE])
    adapter.useBodyParser(type, false, { bodyLimit: HTTP_BODY_LIMIT_BYTES }, parseJson);
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
function httpsOptions(config: AppConfig): { cert: Buffer; key: Buffer } | undefined {
  if (!config.HTTP_TLS_CERT_FILE || !config.HTTP_TLS_KEY_FILE) return undefined;
  return {
    cert: readFileSync(config.HTTP_TLS_CERT_FILE),
    key: readFileSync(config.HTTP_TLS_KEY_FILE),
  };
}
