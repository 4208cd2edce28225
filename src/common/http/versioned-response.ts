import type { FastifyReply } from 'fastify';
import type { Versioned } from './versioning.js';

/** Writes the resource's `ETag` and returns its body (reads and updates). */
export function sendVersioned<T>(res: FastifyReply, resource: Versioned<T>): T {
  res.header('ETag', resource.etag);
  return resource.value;
}

/** 201 with `Location` (the new resource's URL) and `ETag`. */
export function sendCreated<T>(
  res: FastifyReply,
  collectionUrl: string,
  id: string,
  resource: Versioned<T>,
): T {
  res.status(201).header('Location', `${collectionUrl}/${encodeURIComponent(id)}`);
  return sendVersioned(res, resource);
}

/** OpenAPI description of the `If-Match` header of updates and deletes. */
export const IF_MATCH = {
  name: 'If-Match',
  required: true,
  description: 'ETag of your last read (412 when stale, 428 when missing).',
};
