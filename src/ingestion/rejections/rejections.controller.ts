import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '#src/auth/roles.decorator.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import { DeviceIdParams, RejectionsDto, RejectionsQueryDto } from './rejections.dto.js';
import { RejectionsLog, type RejectionEntry } from './rejections.log.js';

/** Recent rejections, for field technicians checking a sensor. */
@ApiTags('rejections')
@Controller()
@Requires('viewer')
export class RejectionsController {
  constructor(private readonly rejections: RejectionsLog) {}

  @Get('rejections')
  @ApiOperation({ summary: 'Recent rejected messages of the whole fleet, newest first' })
  @ApiOkResponse({ type: RejectionsDto })
  @ApiProblems(400)
  list(@Query() query: RejectionsQueryDto): { items: RejectionEntry[] } {
    return { items: this.rejections.list(query.limit) };
  }

  @Get('devices/:id/rejections')
  @ApiOperation({ summary: "A device's recent rejected messages, newest first" })
  @ApiOkResponse({ type: RejectionsDto })
  @ApiProblems(400)
  listForDevice(
    @Param() params: DeviceIdParams,
    @Query() query: RejectionsQueryDto,
  ): { items: RejectionEntry[] } {
    return { items: this.rejections.listForDevice(params.id, query.limit) };
  }
}
