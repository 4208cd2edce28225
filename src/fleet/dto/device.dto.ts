import {
  ApiProperty,
  ApiPropertyOptional,
  OmitType,
  PartialType,
  type ApiPropertyOptions,
} from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { DEV_EUI_PATTERN, LORAWAN_APPLICATION_PATTERN } from '#src/contracts/identifiers.js';
import { READING_SOURCES, type ReadingSource } from '#src/contracts/reading.js';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import type { DeviceChannelMap } from '../fleet.types.js';
import { IsChannelMap } from './channel-map.validator.js';

const CHANNEL_MAP_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  description:
    'Cayenne LPP mapping of the model when it differs from the default: `channels` (0–255) and ' +
    '`types` (LPP type names) → temperatureC | humidityPct | shockG | altM | batteryPct | doorOpen | ' +
    'position | measuredAt | ignore; `battery` {emptyV, fullV} volts.',
  example: { channels: { '3': 'temperatureC' }, battery: { emptyV: 3.0, fullV: 3.6 } },
  additionalProperties: true,
};

export class CreateDeviceDto {
  @ApiProperty({
    description: 'Device id: MQTT username and topic level of a directly connected device.',
    example: 'sensor-reefer-001',
  })
  @IsEntityId()
  id: string;

  @ApiPropertyOptional({
    description: 'LoRaWAN DevEUI, 16 hex digits (ChirpStack / TTS devices).',
    example: '70b3d57ed0001a2b',
  })
  @IsOptional()
  @Matches(DEV_EUI_PATTERN, { message: 'devEui must be 16 hexadecimal digits' })
  devEui?: string;

  @ApiProperty({ enum: READING_SOURCES, description: 'Wire format the readings arrive in.' })
  @IsIn(READING_SOURCES)
  format: ReadingSource;

  @ApiPropertyOptional({ maxLength: 100, example: 'dragino-lht65' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  model?: string;

  @ApiPropertyOptional(CHANNEL_MAP_SCHEMA)
  @IsOptional()
  @IsChannelMap()
  channelMap?: DeviceChannelMap;

  @ApiPropertyOptional({
    description:
      'Network-server application of a LoRaWAN device: the ChirpStack application id, or the TTS ' +
      "`{applicationId}@{tenantId}`. Uplinks for the device on another application's topic are " +
      'refused (`wrong-application`); unset, any application may speak for it.',
    example: '17c82e96-be03-4f38-aef3-f83d48582d97',
  })
  @IsOptional()
  @Matches(LORAWAN_APPLICATION_PATTERN, {
    message: 'lorawanApplication must be an application id, or {applicationId}@{tenantId} for TTS',
  })
  lorawanApplication?: string;
}

/** A device in the fleet seed: with the container it is bound to (from now). */
export class DeviceDto extends CreateDeviceDto {
  @ApiPropertyOptional({ description: 'Container the device is bound to.' })
  @IsOptional()
  @IsEntityId()
  containerId?: string;
}

export class UpdateDeviceDto extends PartialType(OmitType(CreateDeviceDto, ['id'] as const)) {}

export class DeviceIdParams {
  @ApiProperty({ description: 'Device id.' })
  @IsEntityId()
  id: string;
}

export class BindDeviceDto {
  @ApiProperty({ description: 'Container the device is put on.' })
  @IsEntityId()
  containerId: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'When it was put on (ISO-8601; default now). Readings measured from then are attributed to it; ' +
      'earlier ones are refused as `unbound-device`. Binding again to the container of the newest ' +
      'binding with an earlier `at` moves its start back (not past the end of the binding before it).',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}

export class UnbindDeviceDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'When it was taken off (ISO-8601; default now).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}

export class DeviceViewDto extends CreateDeviceDto {
  @ApiPropertyOptional({ description: 'Container the device is on now; absent when unbound.' })
  containerId?: string;
}

export class DevicePageDto {
  @ApiProperty({ type: [DeviceViewDto] })
  items: DeviceViewDto[];
  @ApiPropertyOptional({ description: 'Cursor of the next page; absent on the last page.' })
  nextCursor?: string;
}

export class BindingViewDto {
  @ApiProperty()
  deviceId: string;
  @ApiProperty()
  containerId: string;
  @ApiProperty({ description: 'Start, epoch ms (inclusive).' })
  boundAt: number;
  @ApiPropertyOptional({ description: 'End, epoch ms (exclusive); absent while bound.' })
  unboundAt?: number;
}

export class BindingPageDto {
  @ApiProperty({ type: [BindingViewDto] })
  items: BindingViewDto[];
  @ApiPropertyOptional({ description: 'Cursor of the next page; absent on the last page.' })
  nextCursor?: string;
}
