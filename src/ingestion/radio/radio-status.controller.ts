import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { Requires } from '#src/auth/roles.decorator.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import type { RadioStatus } from '../dedupe/reading-dedupe.service.js';
import { RadioStatusService } from './radio-status.service.js';

export class RadioDeviceIdParams {
  @ApiProperty({ description: 'Device id.' })
  @IsEntityId()
  id: string;
}

export class RadioStatusDto implements RadioStatus {
  @ApiProperty()
  deviceId: string;

  @ApiPropertyOptional({ description: 'Newest LoRaWAN frame counter seen; absent for non-LoRa devices.' })
  lastFCnt?: number;

  @ApiProperty({ description: 'Frames skipped by the counter and not arrived late since.' })
  lostFrames: number;

  @ApiProperty({ description: 'Frame-counter resets (reboot, rejoin).' })
  resets: number;

  @ApiPropertyOptional({ description: 'When the last reset was received, epoch ms.' })
  lastResetAt?: number;

  @ApiProperty({ description: 'Repeats dropped (several gateways, redelivery, replays).' })
  duplicates: number;
}

/** A device's radio link for field technicians; counts since the process started. */
@ApiTags('devices')
@Requires('viewer')
@Controller('devices')
export class RadioStatusController {
  constructor(private readonly radio: RadioStatusService) {}

  @Get(':id/radio')
  @ApiOperation({ summary: 'Frame counter, lost frames, resets and duplicates of a device on its container' })
  @ApiOkResponse({ type: RadioStatusDto })
  @ApiProblems(400, 404)
  get(@Param() params: RadioDeviceIdParams): RadioStatus {
    return this.radio.of(params.id);
  }
}
