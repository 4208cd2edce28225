import { Requires } from '#src/auth/roles.decorator.js';
import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { DeadLetterIdParamsDto, OutboxListQueryDto } from './outbox.dto.js';
import { OutboxService, type OutboxOverview } from './outbox.service.js';

/** Operators' view of the InfluxDB outbox (auth and problem+json come from global guards/filters). */
@Controller('admin/outbox')
@Requires('admin')
export class OutboxController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  overview(@Query() query: OutboxListQueryDto): Promise<OutboxOverview> {
    return this.outbox.overview(query.limit ?? 50, query.after ?? 0);
  }

  @Post('dead-letters/:id/replay')
  @HttpCode(202)
  replay(@Param() params: DeadLetterIdParamsDto): Promise<{ id: number; lines: number }> {
    return this.outbox.replayDeadLetter(params.id);
  }

  @Delete('dead-letters/:id')
  @HttpCode(204)
  remove(@Param() params: DeadLetterIdParamsDto): Promise<void> {
    return this.outbox.deleteDeadLetter(params.id);
  }
}
