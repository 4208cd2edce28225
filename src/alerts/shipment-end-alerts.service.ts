import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { DomainEvents } from '#src/common/events/domain-events.js';
import type { ShipmentStatus, ShipmentStatusChange } from '#src/contracts/shipment-status.js';
import { NEXT_STATUSES } from '#src/shipments/shipment.types.js';
import { ShipmentsService } from '#src/shipments/shipments.service.js';
import { ActiveAlerts } from './active-alerts.js';
import { AlertLifecycleService } from './alert-lifecycle.service.js';

/** A status with no way out (closed, cancelled): the shipment is over. */
const isFinal = (status: ShipmentStatus): boolean => NEXT_STATUSES[status].length === 0;

/**
 * Clears a shipment's active alerts when it ends. Alerts listen to shipments (shipments never
 * import alerts). At start it also sweeps alerts left active by shipments that ended earlier
 * (before this existed, or deleted since), so none stays active forever.
 */
@Injectable()
export class ShipmentEndAlertsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ShipmentEndAlertsService.name);

  constructor(
    private readonly shipments: ShipmentsService,
    private readonly lifecycle: AlertLifecycleService,
    private readonly active: ActiveAlerts,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
  ) {}

  /** After every module's init: the alert and shipment tables exist, and memory holds the active alerts. */
  async onApplicationBootstrap(): Promise<void> {
    this.events.on('shipment.status-changed', (change) => this.onStatusChange(change));
    await this.sweep();
  }

  private onStatusChange(change: ShipmentStatusChange): void {
    if (!isFinal(change.to)) return;
    // The status change is already stored: a failure here must not fail the caller's request.
    try {
      this.lifecycle.clearForEndedShipment(change.shipmentId, change.to, change.at);
    } catch (err) {
      this.logger.error(
        { shipmentId: change.shipmentId, err },
        'Could not clear the alerts of an ended shipment',
      );
    }
  }

  private async sweep(): Promise<void> {
    for (const shipmentId of this.active.shipments()) {
      const status = await this.statusOf(shipmentId);
      if (status === 'deleted' || isFinal(status)) {
        const cleared = this.lifecycle.clearForEndedShipment(shipmentId, status, this.clock.now());
        this.logger.warn(
          { shipmentId, alertIds: cleared.map((a) => a.id) },
          `Cleared ${cleared.length} alerts left active by an ended shipment`,
        );
      }
    }
  }

  private async statusOf(shipmentId: string): Promise<ShipmentStatus | 'deleted'> {
    try {
      return (await this.shipments.require(shipmentId)).status;
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'not-found') return 'deleted';
      throw err;
    }
  }
}
