import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { AlertDto, AlertHistoryEntryDto } from '#src/alerts/dto/alert.dto.js';
import { AuditEntryDto } from '#src/audit/dto/audit-query.dto.js';
import { ShipmentViewDto } from '#src/shipments/dto/shipment.dto.js';
import { ExportedRecordDto } from '#src/records/served-record.dto.js';
import { HistoryRowDto } from '#src/telemetry/history-rows.dto.js';

export class ExportQueryDto {
  @ApiPropertyOptional({
    enum: ['json', 'csv'],
    description: '`json` (default): the document; `csv`: the readings.',
  })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

class ExportedAlertDto extends AlertDto {
  @ApiProperty({ type: [AlertHistoryEntryDto] })
  history: AlertHistoryEntryDto[];
}

/** OpenAPI schema of ShipmentExport (shipment-export.types.ts). */
export class ShipmentExportDto {
  @ApiProperty({ enum: ['convoi.shipment-export/1'], description: 'Bumped if a field changes meaning.' })
  format: string;
  @ApiProperty({ format: 'date-time' })
  exportedAt: string;
  @ApiProperty({ description: 'Name of the API key that asked for it.' })
  exportedBy: string;
  @ApiProperty({ type: ShipmentViewDto })
  shipment: ShipmentViewDto;
  @ApiPropertyOptional({ type: ExportedRecordDto, description: 'The compliance record and what it assumed.' })
  record?: ExportedRecordDto;
  @ApiPropertyOptional({ description: 'Why there is no record, when it could not be computed.' })
  recordUnavailable?: string;
  @ApiProperty({ type: [HistoryRowDto] })
  readings: HistoryRowDto[];
  @ApiProperty({ description: 'True when the readings hit the row limit (the oldest are missing).' })
  readingsTruncated: boolean;
  @ApiProperty({ type: [ExportedAlertDto] })
  alerts: ExportedAlertDto[];
  @ApiProperty({ type: [AuditEntryDto] })
  audit: AuditEntryDto[];
}
