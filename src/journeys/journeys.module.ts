import { Module } from '@nestjs/common';
import { FleetModule } from '#src/fleet/fleet.module.js';
import { ShipmentsModule } from '#src/shipments/shipments.module.js';
import { JourneyController } from './journey.controller.js';
import { JourneyEventsRepository } from './journey-events.repository.js';
import { JourneyReactions } from './journey-reactions.service.js';
import { JourneySites } from './journey-sites.service.js';
import { JourneyStateStore } from './journey-state.store.js';
import { JourneyTracker } from './journey-tracker.service.js';
import { JourneyViewService } from './journey-view.service.js';
import { configSliceProvider } from '#src/config/config-slice.js';
import { JourneysConfig } from './journeys.config.js';

/**
 * Journeys (issue 7): geofences, motion and dwell per container from the accepted readings,
 * automatic shipment status, journey alerts (`rule.concluded`), ETA. Depends on shipments, never
 * the reverse: it hears their status changes on the event map and binds their journey-view port
 * (`JourneyViewsModule`).
 */
@Module({
  imports: [FleetModule, ShipmentsModule],
  controllers: [JourneyController],
  providers: [
    configSliceProvider(JourneysConfig),
    JourneyEventsRepository,
    JourneyStateStore,
    JourneySites,
    JourneyReactions,
    JourneyTracker,
    JourneyViewService,
  ],
  exports: [JourneyEventsRepository, JourneySites, JourneyStateStore, JourneyTracker, JourneyViewService],
})
export class JourneysModule {}
