/** A registry entry that shipments name: their container, their origin or destination site, their profile. */
export type ShipmentReferent = 'container' | 'site' | 'profile';

/**
 * How many shipments name a registry entry. On SQLite a foreign key refuses deleting an entry a
 * shipment names; on PostgreSQL the shipments live in another database than the fleet's tables
 * (the profiles' are beside them, with a foreign key), and no foreign key spans the two, so a
 * delete asks here first, on both stores, and is refused the same way. Declared here because fleet/ and profiles/ ask and
 * shipments/ (which depends on both) answers.
 */
export abstract class ShipmentReferences {
  abstract count(referent: ShipmentReferent, id: string): Promise<number>;
}
