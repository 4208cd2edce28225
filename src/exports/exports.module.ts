import { Module } from '@nestjs/common';
import { AlertsModule } from '#src/alerts/alerts.module.js';
import { AuditModule } from '#src/audit/audit.module.js';
import { FleetModule } from '#src/fleet/fleet.module.js';
import { ProfilesModule } from '#src/profiles/profiles.module.js';
import { ShipmentsModule } from '#src/shipments/shipments.module.js';
import { ShipmentExportController } from './shipment-export.controller.js';
import { ShipmentExportService } from './shipment-export.service.js';

/** Exports for auditors: one shipment's full record as JSON, its readings as CSV. */
@Module({
  imports: [ShipmentsModule, AlertsModule, FleetModule, ProfilesModule, AuditModule],
  controllers: [ShipmentExportController],
  providers: [ShipmentExportService],
})
export class ExportsModule {}
