import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Conditional reads (RFC 9110 §13.1.2): a GET or HEAD whose `If-None-Match` names the ETag of the
 * resource it would get is answered 304 without a body, so a client polling a container or a
 * shipment only downloads it when it changed. Only answers that carry an ETag (versioned
 * resources) are compared; nothing is hashed for it.
 */
export function answerNotModified(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (err: null, payload: unknown) => void,
): void {
  const condition = request.headers['if-none-match'];
  const etag = reply.getHeader('etag');
  if (
    condition !== undefined &&
    typeof etag === 'string' &&
    reply.statusCode === 200 &&
    (request.method === 'GET' || request.method === 'HEAD') &&
    namesEtag(condition, etag)
  ) {
    reply.code(304);
    done(null, '');
    return;
  }
  done(null, payload);
}

/** Weak comparison, as If-None-Match asks: `W/"x"` and `"x"` are the same; `*` names any. */
function namesEtag(condition: string, etag: string): boolean {
  if (condition.trim() === '*') return true;
  const opaque = weakless(etag);
  return condition.split(',').some((tag) => weakless(tag.trim()) === opaque);
}

const weakless = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);
