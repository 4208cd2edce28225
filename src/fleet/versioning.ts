import { hash } from 'node:crypto';
import { DomainError } from '#src/common/domain-error.js';

/** A resource with the entity tag of its editable state. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/**
 * Strong ETag computed from the stored, editable fields (not from live state, which changes with
 * every reading and is not something a planner edits): two reads of an unchanged resource get
 * the same tag, any edit gives a new one, with no version column to keep in step.
 */
export function etagOf(editable: unknown): string {
  // One-shot digest (no Hash object): every GET of a resource computes its tag.
  return `"${hash('sha256', JSON.stringify(editable), 'base64url').slice(0, 22)}"`;
}

export function versioned<T>(value: T, editable: unknown = value): Versioned<T> {
  return { value, etag: etagOf(editable) };
}

/**
 * Optimistic concurrency (RFC 9110 §13.1.1): an update must name the version it was based on.
 * Missing `If-Match` → 428; no listed tag equal to the current one → 412. `*` matches any
 * existing resource; weak tags (`W/`) never match, as If-Match uses the strong comparison.
 */
export function assertIfMatch(ifMatch: string | undefined, current: string): void {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    throw new DomainError(
      'precondition-required',
      'common.if-match-required',
      'send If-Match with the ETag of your last read of this resource',
    );
  }
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (tags.includes('*') || tags.includes(current)) return;
  throw new DomainError(
    'precondition-failed',
    'common.stale-etag',
    'the resource changed since you read it (ETag mismatch): read it again and retry',
    { currentEtag: current },
  );
}
