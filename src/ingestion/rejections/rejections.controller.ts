import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Requires } from '#src/auth/roles.decorator.js';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { RejectionsLog, type RejectionEntry } from './rejections.log.js';

export class RejectionsQueryDto {
  /** How many entries, newest first (1–1000, default 100). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;
}

export class DeviceIdParams {
  @IsEntityId()
  id: string;
}

/** Recent rejections, for field technicians checking a sensor. */
@ApiTags('rejections')
@Controller()
@Requires('viewer')
export class RejectionsController {
  constructor(private readonly rejections: RejectionsLog) {}

  @Get('rejections')
  @ApiOperation({ summary: 'Recent rejected messages of the whole fleet, newest first' })
  list(@Query() query: RejectionsQueryDto): { items: RejectionEntry[] } {
    return { items: this.rejections.list(query.limit) };
  }

  @Get('devices/:id/rejections')
  @ApiOperation({ summary: "A device's recent rejected messages, newest first" })
  listForDevice(
    @Param() params: DeviceIdParams,
    @Query() query: RejectionsQueryDto,
  ): { items: RejectionEntry[] } {
    return { items: this.rejections.listForDevice(params.id, query.limit) };
  }
}
