import { hash } from 'node:crypto';
import { DomainError } from '#src/common/domain-error.js';

/** A resource with the entity tag of its editable state. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/**
 * Strong tag of the stored, editable fields: two reads of an unchanged resource get the same
 * tag, any edit gives a new one, with no version column to keep in step. It is the first part of
 * the ETag a client sees: the HTTP layer appends a digest of the body it sends
 * (`"<version>.<body>"`, see `src/http/representation-etag.hook.ts`), so the ETag also changes
 * with live state, position and ETA, which are not edited and not versioned here.
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
 * Missing `If-Match` → 428; no listed tag naming the current version → 412. `*` matches any
 * existing resource; weak tags (`W/`) never match, as If-Match uses the strong comparison.
 *
 * A listed tag names the current version when it is that version's tag or any ETag a read of it
 * answered (`"<version>.<body digest>"`): only the editable fields are compared, so a planner's
 * update is not refused because a reading arrived between the read and the update.
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
  if (tags.includes('*') || tags.some((tag) => versionOf(tag) === current)) return;
  throw new DomainError(
    'precondition-failed',
    'common.stale-etag',
    'the resource changed since you read it (ETag mismatch): read it again and retry',
    { currentEtag: current },
  );
}

/**
 * The version part of an ETag: `"v.b"` → `"v"`; a bare version is itself. A version tag is
 * base64url, which has no `.`, so the first `.` is where the body digest starts.
 */
export function versionOf(tag: string): string {
  const dot = tag.indexOf('.');
  return tag.startsWith('"') && dot > 0 ? `${tag.slice(0, dot)}"` : tag;
}
