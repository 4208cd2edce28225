import { Module } from '@nestjs/common';
import { FleetModule } from '#src/fleet/fleet.module.js';
import { ProfilesModule } from '#src/profiles/profiles.module.js';
import { ShipmentsController } from './shipments.controller.js';
import { ShipmentsRepository } from './shipments.repository.js';
import { ShipmentsService } from './shipments.service.js';
import { ShipmentWriter } from './shipment-writer.service.js';
import { ShipmentTransitionOutbox } from './shipment-transition.outbox.js';

/** Shipments: planning, the status machine, the active-shipment index read by ingestion. */
@Module({
  imports: [FleetModule, ProfilesModule],
  controllers: [ShipmentsController],
  providers: [ShipmentsRepository, ShipmentTransitionOutbox, ShipmentWriter, ShipmentsService],
  exports: [ShipmentsService],
})
export class ShipmentsModule {}
