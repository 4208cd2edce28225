import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Requires } from '#src/auth/roles.decorator.js';
import { WebhookNotifier, type WebhookDelivery } from './notifiers/webhook.notifier.js';

export class DeliveriesQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;
}

@ApiTags('admin')
@Controller('admin/webhooks/deliveries')
@Requires('admin')
export class WebhookDeliveriesController {
  constructor(private readonly webhooks: WebhookNotifier) {}

  @Get()
  @ApiOperation({ summary: 'Webhook delivery log, newest first' })
  list(@Query() query: DeliveriesQueryDto): { items: WebhookDelivery[] } {
    return { items: this.webhooks.list(query.limit) };
  }
}
