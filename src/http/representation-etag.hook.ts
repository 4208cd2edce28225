import type { FastifyReply, FastifyRequest } from 'fastify';
import { hash } from 'node:crypto';

/**
 * ETags of what is sent, and conditional reads on them (RFC 9110 §8.8.3, §13.1.2).
 *
 * A versioned resource's handler sets `ETag` to the version of its editable fields. What it
 * answers can hold more: a container's live state, a shipment's position and ETA change with
 * every reading, not with an edit. So the tag sent is `"<version>.<digest of the body>"`, and a
 * client polling with `If-None-Match` gets 304 only while the body it would get is byte for byte
 * the one it holds. Updates compare only the version part (`assertIfMatch`), so the ETag of any
 * read since the last edit is still good for `If-Match` after new readings.
 *
 * Cost: one SHA-256 of each versioned answer's body (about a kilobyte), only on the REST path;
 * lists and the ingestion path carry no ETag and are not hashed.
 */
export function tagRepresentation(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (err: null, payload: unknown) => void,
): void {
  const version = reply.getHeader('etag');
  if (
    typeof version !== 'string' ||
    typeof payload !== 'string' ||
    reply.statusCode < 200 ||
    reply.statusCode >= 300
  ) {
    done(null, payload);
    return;
  }
  const etag = representationEtag(version, payload);
  reply.header('etag', etag);
  const condition = request.headers['if-none-match'];
  if (
    condition !== undefined &&
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

/**
 * `"<version>.<22 base64url characters of the SHA-256 of the body>"`; a tag that is not a bare
 * strong version (weak, or already composed) is left as it is.
 */
export function representationEtag(version: string, body: string): string {
  if (!version.startsWith('"') || version.includes('.')) return version;
  return `${version.slice(0, -1)}.${hash('sha256', body, 'base64url').slice(0, 22)}"`;
}

/** Weak comparison, as If-None-Match asks: `W/"x"` and `"x"` are the same; `*` names any. */
function namesEtag(condition: string, etag: string): boolean {
  if (condition.trim() === '*') return true;
  const opaque = weakless(etag);
  return condition.split(',').some((tag) => weakless(tag.trim()) === opaque);
}

const weakless = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);
