import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HistoryRowDto } from '#src/telemetry/history-rows.dto.js';

/** OpenAPI schemas of alerts as served (alert.types.ts). Times are epoch ms. */
export class AlertDto {
  @ApiProperty()
  id: string;
  @ApiProperty()
  containerId: string;
  @ApiPropertyOptional()
  shipmentId?: string;
  @ApiPropertyOptional({ description: 'Device whose reading raised or last updated it.' })
  deviceId?: string;
  @ApiProperty({ example: 'temperature-high', description: 'Rule id.' })
  ruleId: string;
  @ApiProperty({ example: 'duration', description: 'Kind of rule (threshold, duration, cumulative…).' })
  ruleKind: string;
  @ApiProperty({ enum: ['info', 'warning', 'critical'] })
  severity: string;
  @ApiProperty({ enum: ['active', 'cleared'] })
  status: string;
  @ApiProperty()
  acknowledged: boolean;
  @ApiPropertyOptional({ description: 'Name of the API key that acknowledged it.' })
  acknowledgedBy?: string;
  @ApiPropertyOptional({ description: 'Epoch ms.' })
  acknowledgedAt?: number;
  @ApiProperty({ description: 'Epoch ms.' })
  openedAt: number;
  @ApiProperty({ description: 'Epoch ms of the latest reading or tick that confirmed it.' })
  lastSeenAt: number;
  @ApiPropertyOptional({ description: 'Epoch ms.' })
  clearedAt?: number;
  @ApiPropertyOptional({ description: 'Value of the latest change (°C, g, %, minutes… by rule).' })
  value?: number;
  @ApiPropertyOptional({ description: 'Worst value while active.' })
  peakValue?: number;
  @ApiProperty({ description: 'Readings or timer ticks that confirmed it.' })
  count: number;
  @ApiProperty()
  message: string;
}

export class AlertPageDto {
  @ApiProperty({ type: [AlertDto], description: 'Newest first.' })
  items: AlertDto[];
  @ApiPropertyOptional({ description: 'Cursor of the next page; absent on the last page.' })
  nextCursor?: string;
}

export class AlertHistoryEntryDto {
  @ApiProperty({ description: 'Epoch ms.' })
  at: number;
  @ApiProperty({ enum: ['opened', 'updated', 'escalated', 'acknowledged', 'cleared', 'commented'] })
  change: string;
  @ApiProperty({ description: 'API key name, or `rule`.' })
  by: string;
  @ApiProperty({ enum: ['info', 'warning', 'critical'] })
  severity: string;
  @ApiPropertyOptional()
  value?: number;
  @ApiPropertyOptional({ description: 'Note, reason or comment.' })
  note?: string;
}

export class AlertDetailDto extends AlertDto {
  @ApiProperty({ type: [AlertHistoryEntryDto], description: 'Every change, oldest first.' })
  history: AlertHistoryEntryDto[];
  @ApiProperty({
    type: [HistoryRowDto],
    description: "The container's readings from an hour before the alert opened until it cleared (or now).",
  })
  readings: HistoryRowDto[];
}
