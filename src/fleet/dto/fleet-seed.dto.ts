import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, ValidateNested } from 'class-validator';
import { ContainerDto } from './container.dto.js';
import { DeviceDto } from './device.dto.js';
import { SiteDto } from './site.dto.js';

/** A fleet description (sites, containers, devices with their container), imported idempotently. */
export class FleetSeedDto {
  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => SiteDto)
  sites: SiteDto[] = [];

  @IsArray()
  @ArrayMaxSize(1_000_000)
  @ValidateNested({ each: true })
  @Type(() => ContainerDto)
  containers: ContainerDto[] = [];

  @IsArray()
  @ArrayMaxSize(1_000_000)
  @ValidateNested({ each: true })
  @Type(() => DeviceDto)
  devices: DeviceDto[] = [];
}
