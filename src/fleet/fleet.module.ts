import { Module } from '@nestjs/common';
import { ContainerReadingsService } from './container-readings.service.js';
import { ContainersController } from './containers.controller.js';
import { ContainersService } from './containers.service.js';
import { DeviceDirectory } from './device-directory.service.js';
import { FleetImportService } from './fleet-import.service.js';
import { FleetRepository } from './fleet.repository.js';
import { LiveStateService } from './live-state.service.js';

/** Sites, containers, devices and their bindings; containers' live state. */
@Module({
  controllers: [ContainersController],
  providers: [
    FleetRepository,
    DeviceDirectory,
    FleetImportService,
    LiveStateService,
    ContainersService,
    ContainerReadingsService,
  ],
  exports: [FleetRepository, DeviceDirectory, FleetImportService, LiveStateService, ContainersService],
})
export class FleetModule {}
