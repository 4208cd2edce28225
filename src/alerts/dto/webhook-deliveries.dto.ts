import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class DeliveriesQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 1000,
    default: 100,
    description: 'How many deliveries, newest first.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;
}

/** One webhook delivery of an alert change (see WebhookDelivery). Times are epoch ms. */
export class WebhookDeliveryDto {
  @ApiProperty()
  id: number;
  @ApiProperty({ description: 'Webhook URL (from ALERT_WEBHOOK_URLS).' })
  url: string;
  @ApiProperty()
  alertId: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] })
  status: string;
  @ApiProperty({ description: 'Attempts so far.' })
  attempts: number;
  @ApiProperty({ description: 'Next attempt, epoch ms (while pending).' })
  nextAttemptAt: number;
  @ApiPropertyOptional({ description: 'HTTP status of the last attempt.' })
  lastStatus?: number;
  @ApiPropertyOptional({ description: 'Error of the last attempt.' })
  lastError?: string;
  @ApiProperty({ description: 'Epoch ms.' })
  createdAt: number;
  @ApiPropertyOptional({ description: 'Epoch ms.' })
  deliveredAt?: number;
}

export class WebhookDeliveriesDto {
  @ApiProperty({ type: [WebhookDeliveryDto], description: 'Newest first.' })
  items: WebhookDeliveryDto[];
}
