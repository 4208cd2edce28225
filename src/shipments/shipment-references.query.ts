import { Injectable } from '@nestjs/common';
import { ShipmentReferences, type ShipmentReferent } from '#src/contracts/shipment-references.port.js';
import { ShipmentsRepository } from './shipments.repository.js';

/** Counts, in the shipments' store, the shipments that name a registry entry. */
@Injectable()
export class ShipmentReferencesQuery extends ShipmentReferences {
  constructor(private readonly shipments: ShipmentsRepository) {
    super();
  }

  count(referent: ShipmentReferent, id: string): Promise<number> {
    return this.shipments.countNaming(referent, id);
  }
}
