import { DomainError } from '#src/common/domain-error.js';
import { isForeignKeyViolation, isUniqueViolation } from '#src/storage/store-errors.js';

/**
 * What the store's constraints refused of a shipment write, as the domain says it: a second active
 * shipment for the container (the partial unique index), or a reference gone since the service's
 * checks (a foreign key: deleted meanwhile, through another node on PostgreSQL). Any other error
 * is returned as it is.
 */
export function refusedWrite(err: unknown, containerId: string): unknown {
  if (isUniqueViolation(err))
    return new DomainError(
      'conflict',
      'shipments.container-busy',
      `container ${containerId} already has an active shipment (planned, in transit or arrived)`,
    );
  if (!isForeignKeyViolation(err)) return err;
  const error = 'a container, site or profile the shipment names does not exist (any more)';
  return new DomainError('invalid', 'shipments.invalid', error, { errors: [error] });
}
