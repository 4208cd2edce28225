import { Injectable } from '@nestjs/common';
import { AlertLifecycleService } from '#src/alerts/alert-lifecycle.service.js';
import { AlertWriter } from '#src/alerts/alert-writer.service.js';
import { partitionOf } from '#src/contracts/partition.js';
import { JourneyEventsRepository } from '#src/journeys/journey-events.repository.js';
import { JourneyStateStore } from '#src/journeys/journey-state.store.js';
import { RuleStateStore } from '#src/rules/rule-state.store.js';
import { ShipmentWriter } from '#src/shipments/shipment-writer.service.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';

/**
 * The effects a processor decides from readings and writes to PostgreSQL behind them, kept in its
 * local outboxes meanwhile: alert changes, shipment transitions, journey events
 * (ARCHITECTURE.md §9).
 *
 * A processor killed for good leaves its outboxes on its own disk, and a partition's next owner
 * restores the states PostgreSQL has: one that already holds what they explain ("alert raised",
 * "inside the site") would never decide them again. So no state is written before its effects
 * are stored: the states written at once when a rule or a journey concludes something wait for
 * them ({@link RuleStateStore.writeAfter}, {@link JourneyStateStore.writeAfter}), and every
 * checkpoint waits for them before it writes the states ({@link stored}): while PostgreSQL does
 * not take them, no position is checkpointed past the readings that decided them, and a new owner
 * replays those readings and decides them again.
 */
@Injectable()
export class DecidedEffects {
  constructor(
    private readonly alerts: AlertWriter,
    private readonly shipments: ShipmentWriter,
    private readonly journeyEvents: JourneyEventsRepository,
    ruleStates: RuleStateStore,
    journeyStates: JourneyStateStore,
    checkpoint: StateCheckpoint,
    private readonly alertLifecycle: AlertLifecycleService,
  ) {
    // Nothing waiting (the common case): the state is written at once, as on one node.
    const pending = () => (this.waiting ? this.stored() : undefined);
    ruleStates.writeAfter(pending);
    journeyStates.writeAfter(pending);
    // A checkpoint writes the states changed since the last, with the positions they reflect.
    checkpoint.register({ writeBehind: () => this.stored() }, true);
  }

  /**
   * Before partitions taken over are read: the alerts their last owner stored become the ones
   * their rules update and clear here (memory held only those this node knew at its start).
   */
  takeOver(partitions: readonly number[], partitionCount: number): Promise<void> {
    const taken = new Set(partitions);
    return this.alertLifecycle.takeOver((containerId) => taken.has(partitionOf(containerId, partitionCount)));
  }

  /** Whether an effect decided is not stored yet. */
  get waiting(): boolean {
    return this.alerts.waiting || this.shipments.waiting || this.journeyEvents.waiting;
  }

  /** Resolves once every effect decided so far is in the operational store. */
  async stored(): Promise<void> {
    // Shipment transitions announce journey events (status): those go last.
    await Promise.all([this.alerts.flush(), this.shipments.flush()]);
    await this.journeyEvents.storedAll();
  }
}
