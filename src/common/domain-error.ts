/**
 * What kind of failure a domain error is. The HTTP edge maps each kind to a status with an
 * exhaustive switch (src/http/problem-details.filter.ts), so adding a kind fails to compile
 * until it is mapped. Domain code never mentions HTTP.
 */
export type DomainErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'precondition-failed'
  | 'precondition-required'
  | 'too-many-requests'
  | 'unavailable';

/** A failure a caller can act on. `code` is stable (e.g. `fleet.container-not-found`). */
export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    readonly detail: string,
    readonly extras: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }
}
