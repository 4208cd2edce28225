import { IsIn, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { DEV_EUI_PATTERN } from '#src/contracts/identifiers.js';
import { READING_SOURCES, type ReadingSource } from '#src/contracts/reading.js';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';

export class DeviceDto {
  /** Device id: the MQTT username and topic level of a directly connected device. */
  @IsEntityId()
  id: string;

  /** LoRaWAN DevEUI, 16 hex digits (ChirpStack / TTS devices). */
  @IsOptional()
  @Matches(DEV_EUI_PATTERN, { message: 'devEui must be 16 hexadecimal digits' })
  devEui?: string;

  /** Wire format the device's readings arrive in. */
  @IsIn(READING_SOURCES)
  format: ReadingSource;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  model?: string;

  /** Cayenne LPP channel → canonical field, when it differs from the default mapping. */
  @IsOptional()
  @IsObject()
  channelMap?: Record<string, string>;

  /** Container the device is bound to (from now). */
  @IsOptional()
  @IsEntityId()
  containerId?: string;
}
