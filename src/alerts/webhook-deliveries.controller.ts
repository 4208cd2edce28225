import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '#src/auth/roles.decorator.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import { DeliveriesQueryDto, WebhookDeliveriesDto } from './dto/webhook-deliveries.dto.js';
import { WebhookNotifier, type WebhookDelivery } from './notifiers/webhook.notifier.js';

@ApiTags('admin')
@Controller('admin/webhooks/deliveries')
@Requires('admin')
export class WebhookDeliveriesController {
  constructor(private readonly webhooks: WebhookNotifier) {}

  @Get()
  @ApiOperation({ summary: 'Webhook delivery log, newest first' })
  @ApiOkResponse({ type: WebhookDeliveriesDto })
  @ApiProblems(400)
  async list(@Query() query: DeliveriesQueryDto): Promise<{ items: WebhookDelivery[] }> {
    return { items: await this.webhooks.list(query.limit) };
  }
}
