import { Module } from '@nestjs/common';
import { FleetModule } from '#src/fleet/fleet.module.js';
import { JourneysModule } from '#src/journeys/journeys.module.js';
import { FleetKpisController } from './fleet-kpis.controller.js';
import { FleetKpisService } from './fleet-kpis.service.js';

/** Fleet KPIs from journey geofence crossings; sits above journeys (fleet itself stays below). */
@Module({
  imports: [FleetModule, JourneysModule],
  controllers: [FleetKpisController],
  providers: [FleetKpisService],
})
export class FleetKpisModule {}
