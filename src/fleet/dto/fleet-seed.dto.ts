import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, ValidateNested } from 'class-validator';
import { ContainerDto } from './container.dto.js';
import { DeviceDto } from './device.dto.js';
import { SiteDto } from './site.dto.js';

/** Entries of each kind a fleet description holds at most. */
export const SEED_MAX_ENTRIES = { sites: 10_000, containers: 1_000_000, devices: 1_000_000 } as const;

/** A fleet description (sites, containers, devices with their container), imported idempotently. */
export class FleetSeedDto {
  @ApiProperty({ type: [SiteDto], description: 'Sites, created or updated by id.' })
  @IsArray()
  @ArrayMaxSize(SEED_MAX_ENTRIES.sites)
  @ValidateNested({ each: true })
  @Type(() => SiteDto)
  sites: SiteDto[] = [];

  @ApiProperty({ type: [ContainerDto], description: 'Containers, created or updated by id.' })
  @IsArray()
  @ArrayMaxSize(SEED_MAX_ENTRIES.containers)
  @ValidateNested({ each: true })
  @Type(() => ContainerDto)
  containers: ContainerDto[] = [];

  @ApiProperty({ type: [DeviceDto], description: 'Devices; `containerId` rebinds only when it differs.' })
  @IsArray()
  @ArrayMaxSize(SEED_MAX_ENTRIES.devices)
  @ValidateNested({ each: true })
  @Type(() => DeviceDto)
  devices: DeviceDto[] = [];
}
