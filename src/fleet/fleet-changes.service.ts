import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '#src/common/events/domain-events.js';
import { NOTIFY_MAX_BYTES, StoreNotifications } from '#src/storage/store-notifications.js';
import { ContainerSites } from './container-sites.service.js';
import { DeviceDirectory } from './device-directory.service.js';
import { FleetRepository } from './fleet.repository.js';

/** The channel of fleet changes between nodes sharing one PostgreSQL. */
const CHANNEL = 'convoi_fleet';

/** What a write of the fleet changed, as the in-memory indexes need to know it. */
export interface FleetChange {
  devices?: readonly string[];
  containers?: readonly string[];
  sites?: boolean;
}

/**
 * Tells the other nodes sharing PostgreSQL what this node changed in the fleet, and applies what
 * they changed to this node's indexes (the device directory, the containers' home sites, and
 * through `sites.changed` the journeys' sites): the ingestion of every node follows a change made
 * through any node's REST or import, usually within milliseconds. A change too large for one
 * message, or messages missed while this node's listening session was lost, make it rebuild them
 * whole. On SQLite there is one node and nothing to tell.
 */
@Injectable()
export class FleetChanges implements OnModuleInit {
  private readonly logger = new Logger(FleetChanges.name);

  constructor(
    private readonly notifications: StoreNotifications,
    private readonly fleet: FleetRepository,
    private readonly directory: DeviceDirectory,
    private readonly containerSites: ContainerSites,
    private readonly events: DomainEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.notifications.shared) this.fleet.cacheWhile(false);
    await this.notifications.subscribe(CHANNEL, {
      message: (change) => this.settle(this.apply(change)),
      missed: () => this.settle(this.apply({ all: true })),
      listening: () => this.fleet.cacheWhile(true),
      lost: () => this.fleet.cacheWhile(false),
    });
  }

  /** Tells the other nodes (a failure is logged: this node's write is done and its indexes follow it). */
  async announce(change: FleetChange): Promise<void> {
    if (!this.notifications.shared) return;
    const whole = JSON.stringify(change).length > NOTIFY_MAX_BYTES;
    try {
      await this.notifications.publish(CHANNEL, whole ? { all: true } : change);
    } catch (error) {
      this.logger.warn(`fleet change not announced to other nodes: ${String(error)}`);
    }
  }

  private async apply(change: FleetChange & { all?: boolean }): Promise<void> {
    if (change.all === true) {
      this.fleet.forgetContainers();
      await this.directory.reload();
      await this.containerSites.reload();
      this.events.emit('sites.changed', {});
      return;
    }
    if (change.devices !== undefined && change.devices.length > 0)
      await this.directory.refresh(...change.devices);
    if (change.containers !== undefined && change.containers.length > 0) {
      for (const id of change.containers) this.fleet.forgetContainer(id);
      await this.containerSites.refresh(...change.containers);
    }
    if (change.sites === true) this.events.emit('sites.changed', {});
  }

  private settle(applied: Promise<void>): void {
    applied.catch((error: unknown) =>
      this.logger.error(`fleet change of another node not applied: ${String(error)}`),
    );
  }
}
