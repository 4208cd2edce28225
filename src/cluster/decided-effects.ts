import { Injectable } from '@nestjs/common';
import { AlertWriter } from '#src/alerts/alert-writer.service.js';
import { JourneyEventsRepository } from '#src/journeys/journey-events.repository.js';
import { ShipmentWriter } from '#src/shipments/shipment-writer.service.js';

/**
 * The effects a processor decides from readings and writes to PostgreSQL behind them, kept in its
 * local outboxes meanwhile: alert changes, shipment transitions, journey events.
 *
 * A partition's checkpoint waits until they are stored ({@link stored}; ARCHITECTURE.md §9): a
 * processor killed for good leaves its outboxes on its own disk, and a new owner restores the
 * checkpointed state, which already holds what they explain ("alert raised", "inside the site"),
 * so would never decide them again.
 */
@Injectable()
export class DecidedEffects {
  constructor(
    private readonly alerts: AlertWriter,
    private readonly shipments: ShipmentWriter,
    private readonly journeyEvents: JourneyEventsRepository,
  ) {}

  /** Resolves once every effect decided so far is in the operational store. */
  async stored(): Promise<void> {
    // Shipment transitions announce journey events (status): those go last.
    await Promise.all([this.alerts.flush(), this.shipments.flush()]);
    await this.journeyEvents.storedAll();
  }
}
