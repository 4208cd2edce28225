import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { urlPath } from '#src/common/url-path.js';

/** Header that carries a request's id, both ways. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * An id a proxy or client may choose for its request: short, and of characters that need no
 * escaping anywhere they are shown. Anything else is replaced by a fresh id, not echoed.
 */
const ACCEPTED_ID = /^[\w.:-]{1,64}$/;

/** Probes and scrapes come every few seconds from machines: logged at debug, not as traffic. */
const QUIET_PATHS = new Set(['/health', '/health/live', '/health/ready', '/metrics']);

/**
 * Fastify's `genReqId`: the caller's `X-Request-Id` when it is a plausible id (a reverse proxy's,
 * so one id follows the request through both logs), else a random UUID.
 */
export function requestId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && ACCEPTED_ID.test(given) ? given : randomUUID();
}

/**
 * Every answer carries `X-Request-Id`, and every request ends in one log line with that id:
 * method, path (never the query, which may hold a cursor or a token), status and duration.
 */
export function installRequestLog(server: FastifyInstance): void {
  const logger = new Logger('Http');
  server.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  server.addHook('onResponse', (request, reply, done) => {
    const path = urlPath(request.raw.url ?? request.url);
    const level = QUIET_PATHS.has(path.endsWith('/') ? path.slice(0, -1) : path) ? 'debug' : 'log';
    if (Logger.isLevelEnabled(level)) logger[level](requestFields(request, reply, path), 'request completed');
    done();
  });
}

function requestFields(request: FastifyRequest, reply: FastifyReply, path: string): Record<string, unknown> {
  return {
    requestId: request.id,
    method: request.method,
    path,
    statusCode: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime * 10) / 10,
  };
}
