import { Module } from '@nestjs/common';
import { ActiveShipments } from './active-shipments.service.js';
import { AdminImportController } from './admin-import.controller.js';
import { ContainerReadingsService } from './container-readings.service.js';
import { ContainersController } from './containers.controller.js';
import { ContainersRepository } from './containers.repository.js';
import { ContainersService } from './containers.service.js';
import { ContainerSites } from './container-sites.service.js';
import { DeviceDirectory } from './device-directory.service.js';
import { DevicesController } from './devices.controller.js';
import { DevicesRepository } from './devices.repository.js';
import { DevicesService } from './devices.service.js';
import { FleetImportRepository } from './fleet-import.repository.js';
import { FleetChanges } from './fleet-changes.service.js';
import { FleetImportService } from './fleet-import.service.js';
import { FleetRepository } from './fleet.repository.js';
import { LiveStateService } from './live-state.service.js';
import { SitesController } from './sites.controller.js';
import { SitesRepository } from './sites.repository.js';
import { SitesService } from './sites.service.js';

/** Sites, containers, devices and their bindings; containers' live state; fleet import. */
@Module({
  controllers: [SitesController, ContainersController, DevicesController, AdminImportController],
  providers: [
    FleetRepository,
    SitesRepository,
    ContainersRepository,
    DevicesRepository,
    FleetImportRepository,
    DeviceDirectory,
    ContainerSites,
    FleetChanges,
    ActiveShipments,
    FleetImportService,
    LiveStateService,
    SitesService,
    ContainersService,
    DevicesService,
    ContainerReadingsService,
  ],
  exports: [
    ContainerSites,
    FleetRepository,
    DeviceDirectory,
    ActiveShipments,
    FleetImportService,
    LiveStateService,
    SitesService,
    ContainersService,
  ],
})
export class FleetModule {}
