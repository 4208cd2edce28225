import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { AggregateRowDto, HistoryRowDto } from '#src/telemetry/history-rows.dto.js';
import { AGGREGATE_FUNCTIONS } from '#src/telemetry/telemetry.ports.js';

/** OpenAPI schema of `GET /containers/{id}/readings`. */
@ApiExtraModels(HistoryRowDto, AggregateRowDto)
export class ReadingsDto {
  @ApiProperty({ description: 'Container id.' })
  containerId: string;
  @ApiProperty({ format: 'date-time', description: 'Start of the range (inclusive).' })
  from: string;
  @ApiProperty({ format: 'date-time', description: 'End of the range (exclusive).' })
  to: string;
  @ApiPropertyOptional({ description: 'Bucket width, when aggregated.' })
  every?: string;
  @ApiPropertyOptional({ enum: AGGREGATE_FUNCTIONS, description: 'Aggregation function, when aggregated.' })
  fn?: string;
  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ $ref: getSchemaPath(HistoryRowDto) }, { $ref: getSchemaPath(AggregateRowDto) }] },
    description: 'Raw readings (HistoryRow), or buckets (AggregateRow) with `every`; oldest first.',
  })
  items: (HistoryRowDto | AggregateRowDto)[];
}
