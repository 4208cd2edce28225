import { Injectable, Logger } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { isForeignKeyViolation, isUniqueViolation } from '#src/storage/store-errors.js';
import { ContainerSites } from './container-sites.service.js';
import { DeviceDirectory, REFRESH_MAX_DEVICES } from './device-directory.service.js';
import { FleetChanges } from './fleet-changes.service.js';
import { FleetImportRepository } from './fleet-import.repository.js';
import { FleetSeedPages } from './fleet-seed-pages.js';
import { SitesService } from './sites.service.js';

export interface ImportSummary {
  sites: number;
  containers: number;
  devices: number;
  bindingsChanged: number;
}

/**
 * Entities (containers plus devices) above which an import rebuilds the in-memory indexes whole
 * rather than the entries it wrote: a refresh costs tens of microseconds an entry (read in two
 * queries for them all), a rebuild ~1.5 s at 150,000 containers, so pages of an API import
 * refresh and a chain's seed file rebuilds. At most REFRESH_MAX_DEVICES, the ids being bound values.
 */
export const IMPORT_REFRESH_MAX = REFRESH_MAX_DEVICES;

/**
 * Imports a fleet description idempotently: importing the same file twice changes nothing;
 * a device is rebound only when its container differs from its open binding.
 */
@Injectable()
export class FleetImportService {
  private readonly logger = new Logger(FleetImportService.name);

  constructor(
    private readonly repository: FleetImportRepository,
    private readonly directory: DeviceDirectory,
    private readonly clock: Clock,
    private readonly containerSites: ContainerSites,
    private readonly sites: SitesService,
    private readonly fleetChanges: FleetChanges,
  ) {}

  async importFile(path: string): Promise<ImportSummary> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw new DomainError(
        'invalid',
        'fleet.seed-unreadable',
        `cannot read fleet seed ${path}: ${String(err)}`,
      );
    }
    const summary = await this.import(raw);
    this.logger.log(
      `Fleet seed ${path}: ${summary.sites} sites, ${summary.containers} containers, ` +
        `${summary.devices} devices, ${summary.bindingsChanged} bindings changed`,
    );
    return summary;
  }

  async import(raw: unknown): Promise<ImportSummary> {
    const seed = new FleetSeedPages(raw);
    const bindingsChanged = await this.repository.write(seed, this.clock.now()).catch((err: unknown) => {
      const refused = refusal(err);
      // The store refused a page before the next ones were validated: a description invalid
      // anywhere is reported as invalid, as when it was validated whole before any write.
      if (refused !== undefined) FleetSeedPages.validate(raw);
      throw refused ?? err;
    });
    const { containerIds: containers, deviceIds: devices } = seed;
    if (containers.length + devices.length > IMPORT_REFRESH_MAX) {
      await this.directory.reload();
      await this.containerSites.reload();
    } else {
      await this.directory.refresh(...devices);
      await this.containerSites.refresh(...containers);
    }
    await this.fleetChanges.announce({ devices, containers });
    if (seed.sites > 0) await this.sites.changed();
    return { sites: seed.sites, containers: containers.length, devices: devices.length, bindingsChanged };
  }
}

/** What the store's constraints refused in an import (nothing of it was written), as the caller can act on it. */
function refusal(err: unknown): DomainError | undefined {
  if (isForeignKeyViolation(err))
    return new DomainError(
      'invalid',
      'fleet.seed-invalid',
      'fleet seed is invalid: a container names a site, or a device a container, that neither the store nor the seed has',
    );
  if (isUniqueViolation(err))
    return new DomainError(
      'conflict',
      'fleet.dev-eui-taken',
      'fleet seed gives a devEui that belongs to another device',
    );
  return undefined;
}
