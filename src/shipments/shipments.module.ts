import { Global, Module } from '@nestjs/common';
import { ShipmentReferences } from '#src/contracts/shipment-references.port.js';
import { FleetModule } from '#src/fleet/fleet.module.js';
import { ProfilesModule } from '#src/profiles/profiles.module.js';
import { ShipmentsController } from './shipments.controller.js';
import { ShipmentsRepository } from './shipments.repository.js';
import { ShipmentsService } from './shipments.service.js';
import { ShipmentWriter } from './shipment-writer.service.js';
import { ShipmentTransitionOutbox } from './shipment-transition.outbox.js';
import { ShipmentReferencesQuery } from './shipment-references.query.js';

/**
 * Shipments: planning, the status machine, the active-shipment index read by ingestion. Global
 * because it binds a port that fleet/ and profiles/ ask (ShipmentReferences), which they may not
 * import the module for: it imports them.
 */
@Global()
@Module({
  imports: [FleetModule, ProfilesModule],
  controllers: [ShipmentsController],
  providers: [
    ShipmentsRepository,
    ShipmentTransitionOutbox,
    ShipmentWriter,
    ShipmentsService,
    { provide: ShipmentReferences, useClass: ShipmentReferencesQuery },
  ],
  exports: [ShipmentsService, ShipmentReferences, ShipmentWriter],
})
export class ShipmentsModule {}
