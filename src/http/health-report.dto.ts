import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CheckStatus } from './health.service.js';

const STATUSES: CheckStatus[] = ['up', 'degraded', 'down'];

/** One part of the node (broker, consumer, pipeline, a store) as a probe sees it. */
export class HealthCheckDto {
  @ApiProperty({ enum: STATUSES })
  status!: CheckStatus;

  /** Why the part is degraded or down, for the operator. */
  @ApiPropertyOptional()
  detail?: string;
}

/** The answer of `/health` and `/health/ready`: the worst check is the overall status. */
export class HealthReportDto {
  @ApiProperty({ enum: STATUSES })
  status!: CheckStatus;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/HealthCheckDto' },
    description:
      'Each part by name: broker, consumer, pipeline, sqlite, postgres (with DATABASE_URL), timeseries',
  })
  checks!: Record<string, HealthCheckDto>;
}

/** The answer of `/health/live`. */
export class LivenessDto {
  @ApiProperty({ enum: ['up'] })
  status!: 'up';
}
