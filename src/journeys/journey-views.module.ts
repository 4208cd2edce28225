import { Global, Module } from '@nestjs/common';
import { ShipmentJourneyViews } from '#src/shipments/shipment-journey-view.port.js';
import { JourneyViewService } from './journey-view.service.js';
import { JourneysModule } from './journeys.module.js';

/**
 * Binds the shipments' port for the `journey` block of `GET /shipments/{id}`. Global because
 * shipments sit below journeys and so cannot import them (the folder graph is a tree).
 */
@Global()
@Module({
  imports: [JourneysModule],
  providers: [{ provide: ShipmentJourneyViews, useExisting: JourneyViewService }],
  exports: [ShipmentJourneyViews],
})
export class JourneyViewsModule {}
