import { ApiProperty } from '@nestjs/swagger';
import { DISPOSITIONS } from './shipment-record.dto.js';

/**
 * OpenAPI schema of the compliance record as served (ServedRecord, record.types.ts): times are
 * ISO-8601 UTC, durations minutes, temperatures °C.
 */
const DISPOSITION = { enum: DISPOSITIONS };

class PeriodDto {
  @ApiProperty({ format: 'date-time' })
  from: string;
  @ApiProperty({ format: 'date-time' })
  to: string;
}

class TemperatureLimitsDto {
  @ApiProperty({ type: Number, nullable: true, description: '°C; null for no lower limit.' })
  minC: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '°C; null for no upper limit.' })
  maxC: number | null;
}

class TemperatureSummaryDto {
  @ApiProperty({ description: 'Temperature readings in the period.' })
  readings: number;
  @ApiProperty({ type: Number, nullable: true })
  minC: number | null;
  @ApiProperty({ type: Number, nullable: true })
  maxC: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Time-weighted mean, °C.' })
  meanC: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Mean kinetic temperature (USP <1079>), °C.' })
  mktC: number | null;
  @ApiProperty({ type: TemperatureLimitsDto })
  limits: TemperatureLimitsDto;
}

class ExcursionDto {
  @ApiProperty({ enum: ['above', 'below'] })
  direction: string;
  @ApiProperty({ format: 'date-time' })
  start: string;
  @ApiProperty({ format: 'date-time' })
  end: string;
  @ApiProperty({ description: 'Warmest reading of an excursion above, coldest of one below, °C.' })
  peakC: number;
  @ApiProperty()
  durationMin: number;
  @ApiProperty({ description: 'True when the series ends out of range.' })
  ongoing: boolean;
}

class OutOfRangeDto {
  @ApiProperty({ description: 'Total time out of range, minutes.' })
  cumulativeMin: number;
  @ApiProperty()
  longestMin: number;
  @ApiProperty({ description: "The profile's tolerated time out of range, minutes." })
  toleratedMin: number;
  @ApiProperty({ type: [ExcursionDto] })
  excursions: ExcursionDto[];
}

class ShockDto {
  @ApiProperty({ description: 'Peak acceleration, g.' })
  peakG: number;
  @ApiProperty({ format: 'date-time' })
  at: string;
  @ApiProperty({ type: Number, nullable: true })
  lat: number | null;
  @ApiProperty({ type: Number, nullable: true })
  lon: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'Time of the fix used.' })
  positionAt: string | null;
  @ApiProperty({ type: String, nullable: true })
  legId: string | null;
  @ApiProperty({ type: String, nullable: true })
  siteId: string | null;
  @ApiProperty({ type: String, nullable: true })
  carrier: string | null;
}

class OfflineGapDto {
  @ApiProperty({ format: 'date-time' })
  start: string;
  @ApiProperty({ format: 'date-time' })
  end: string;
  @ApiProperty()
  durationMin: number;
}

class CompletenessDto {
  @ApiProperty()
  expectedReadings: number;
  @ApiProperty()
  receivedReadings: number;
  @ApiProperty({ description: 'Received over expected, %.' })
  pct: number;
}

class RecordAlertDto {
  @ApiProperty()
  alertId: string;
  @ApiProperty()
  rule: string;
  @ApiProperty({ enum: ['info', 'warning', 'critical'] })
  severity: string;
  @ApiProperty({ format: 'date-time' })
  openedAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  clearedAt: string | null;
  @ApiProperty({ type: Number, nullable: true })
  peakValue: number | null;
  @ApiProperty()
  message: string;
}

class DispositionReasonDto {
  @ApiProperty({ example: 'excursion-over-tolerance' })
  code: string;
  @ApiProperty({ ...DISPOSITION, description: 'The disposition this reason alone calls for.' })
  outcome: string;
  @ApiProperty()
  message: string;
}

class ConfirmedDispositionDto {
  @ApiProperty(DISPOSITION)
  decision: string;
  @ApiProperty()
  reason: string;
  @ApiProperty({ ...DISPOSITION, description: 'What the record computed when the planner decided.' })
  computed: string;
  @ApiProperty()
  overridden: boolean;
  @ApiProperty({ description: 'API key name.' })
  by: string;
  @ApiProperty({ format: 'date-time' })
  at: string;
}

class ComputedDispositionDto {
  @ApiProperty({ ...DISPOSITION, description: 'The decision the record computes.' })
  decision: string;
  @ApiProperty({ type: [DispositionReasonDto] })
  reasons: DispositionReasonDto[];
}

class ServedDispositionDto extends ComputedDispositionDto {
  @ApiProperty({ ...DISPOSITION, description: 'The same computed decision (the planner’s is `confirmed`).' })
  computed: string;
  @ApiProperty({ type: ConfirmedDispositionDto, nullable: true })
  confirmed: ConfirmedDispositionDto | null;
  @ApiProperty({ type: [ConfirmedDispositionDto], description: 'Every decision, oldest first.' })
  history: ConfirmedDispositionDto[];
}

export class ShipmentRecordDto {
  @ApiProperty()
  shipmentId: string;
  @ApiProperty()
  containerId: string;
  @ApiProperty()
  profileId: string;
  @ApiProperty({ type: PeriodDto, description: 'Departure (or loading) to arrival (or now).' })
  period: PeriodDto;
  @ApiProperty({ format: 'date-time' })
  generatedAt: string;
  @ApiProperty({ type: TemperatureSummaryDto })
  temperature: TemperatureSummaryDto;
  @ApiProperty({ type: OutOfRangeDto })
  outOfRange: OutOfRangeDto;
  @ApiProperty({ type: [ShockDto] })
  shocks: ShockDto[];
  @ApiProperty({ type: [OfflineGapDto] })
  offlineGaps: OfflineGapDto[];
  @ApiProperty({ type: CompletenessDto })
  completeness: CompletenessDto;
  @ApiProperty({ type: [RecordAlertDto] })
  alerts: RecordAlertDto[];
  @ApiProperty({ type: ComputedDispositionDto })
  disposition: ComputedDispositionDto;
}

/** `GET /shipments/{id}/record`: with the planners' decisions. */
export class ServedRecordDto extends ShipmentRecordDto {
  @ApiProperty({ type: ServedDispositionDto })
  declare disposition: ServedDispositionDto;
  @ApiProperty({ description: 'True when the readings hit the row limit (the oldest are missing).' })
  readingsTruncated: boolean;
}

/** The record in a shipment export: with what it assumed. */
export class ExportedRecordDto extends ShipmentRecordDto {
  @ApiProperty({ type: [String], description: 'What the record assumed.' })
  assumptions: string[];
}
