import { Module } from '@nestjs/common';
import { AlertsModule } from '#src/alerts/alerts.module.js';
import { ProfilesModule } from '#src/profiles/profiles.module.js';
import { JourneysModule } from '#src/journeys/journeys.module.js';
import { ShipmentsModule } from '#src/shipments/shipments.module.js';
import { RecordDispositionsRepository } from './record-dispositions.repository.js';
import { ShipmentRecordController } from './shipment-record.controller.js';
import { ShipmentRecordService } from './shipment-record.service.js';

/** Shipment compliance records (ARCHITECTURE.md §6): JSON, CSV, printable HTML, confirmed dispositions. */
@Module({
  imports: [ShipmentsModule, AlertsModule, ProfilesModule, JourneysModule],
  controllers: [ShipmentRecordController],
  providers: [RecordDispositionsRepository, ShipmentRecordService],
})
export class ShipmentRecordModule {}
