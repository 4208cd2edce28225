import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI schemas of the history rows of telemetry.ports.ts, as the REST API serves them. */
export class ReadingQualityDto {
  @ApiPropertyOptional({ description: 'LoRaWAN frame counter.' })
  fCnt?: number;
  @ApiPropertyOptional({ description: 'Gateways that heard the uplink.' })
  gateways?: number;
  @ApiPropertyOptional({ description: 'Best RSSI among gateways, dBm.' })
  rssi?: number;
  @ApiPropertyOptional({ description: 'Best SNR among gateways, dB.' })
  snr?: number;
  @ApiProperty({ description: 'Reception time minus measuredAt, ms.' })
  lagMs: number;
  @ApiProperty({ description: 'True for a buffered or held reading older than the late threshold.' })
  late: boolean;
}

export class MeasurementsDto {
  @ApiPropertyOptional({ description: 'Temperature, °C.' })
  temperatureC?: number;
  @ApiPropertyOptional({ description: 'Relative humidity, %.' })
  humidityPct?: number;
  @ApiPropertyOptional({ description: 'Peak acceleration (shock), g.' })
  shockG?: number;
  @ApiPropertyOptional({ description: 'Latitude, degrees WGS84.' })
  lat?: number;
  @ApiPropertyOptional({ description: 'Longitude, degrees WGS84.' })
  lon?: number;
  @ApiPropertyOptional({ description: 'Altitude, metres.' })
  altM?: number;
  @ApiPropertyOptional({ description: 'Battery, %.' })
  batteryPct?: number;
}

export class HistoryRowDto extends MeasurementsDto {
  @ApiProperty({ description: 'Device that measured it.' })
  deviceId: string;
  @ApiProperty({ description: 'Device time, epoch ms.' })
  measuredAt: number;
  @ApiProperty({ description: 'Reception time, epoch ms.' })
  receivedAt: number;
  @ApiPropertyOptional({ description: 'Shipment the container was on.' })
  shipmentId?: string;
  @ApiProperty({ description: 'Payload format (json, chirpstack, tts…).' })
  source: string;
  @ApiPropertyOptional({ description: 'Door state, true when open.' })
  doorOpen?: boolean;
  @ApiProperty({ type: ReadingQualityDto })
  quality: ReadingQualityDto;
}

export class AggregateRowDto extends MeasurementsDto {
  @ApiProperty({
    description: 'Start of the bucket, epoch ms; a field is absent when the bucket has no value.',
  })
  time: number;
}
