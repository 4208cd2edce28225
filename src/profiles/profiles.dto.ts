import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { PRODUCT_PROFILES } from './product-profiles.js';

export const SEEDED_PROFILE_IDS = Object.keys(PRODUCT_PROFILES);

export class TemperatureBandDto {
  @ApiPropertyOptional({ description: 'Lowest allowed temperature, °C (−50…85); absent = unbounded.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-50)
  @Max(85)
  minC?: number;

  @ApiPropertyOptional({ description: 'Highest allowed temperature, °C (−50…85); absent = unbounded.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-50)
  @Max(85)
  maxC?: number;
}

export class ToleratedExcursionDto {
  @ApiProperty({ description: 'Minutes out of band in one stretch before an alert (0–1440).' })
  @IsInt()
  @Min(0)
  @Max(1440)
  consecutiveMin: number;

  @ApiProperty({ description: 'Minutes out of band summed over the shipment before an alert (0–10080).' })
  @IsInt()
  @Min(0)
  @Max(10_080)
  cumulativeMin: number;
}

export class CreateProfileDto {
  @ApiProperty({ description: 'Profile id (must not be a seeded id).', example: 'sushi-chilled-3' })
  @IsEntityId()
  id: string;

  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Sushi ≤ +3 °C' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({
    enum: SEEDED_PROFILE_IDS,
    description: 'Seeded profile whose figures fill every field not given (default `ambient`).',
  })
  @IsOptional()
  @IsIn(SEEDED_PROFILE_IDS)
  basedOn?: string;

  @ApiProperty({ type: TemperatureBandDto, description: 'Temperature band, °C.' })
  @IsDefined()
  @ValidateNested()
  @Type(() => TemperatureBandDto)
  temperature: TemperatureBandDto;

  @ApiPropertyOptional({ type: ToleratedExcursionDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ToleratedExcursionDto)
  toleratedExcursion?: ToleratedExcursionDto;

  @ApiPropertyOptional({ description: 'Peak acceleration recorded as a shock, g (0.5–200).' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.5)
  @Max(200)
  shockLimitG?: number;

  @ApiPropertyOptional({ description: 'Expected interval between readings, seconds (10–86400).' })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(86_400)
  expectedIntervalS?: number;

  @ApiPropertyOptional({ description: 'Battery level alerted as low, % (1–99).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(99)
  batteryLowPct?: number;
}

export class UpdateProfileDto extends PartialType(OmitType(CreateProfileDto, ['id', 'basedOn'] as const)) {}

export class ProfileIdParams {
  @ApiProperty({ description: 'Profile id.' })
  @IsEntityId()
  id: string;
}

export class ProfileViewDto {
  @ApiProperty()
  id: string;
  @ApiProperty()
  name: string;
  @ApiProperty()
  description: string;
  @ApiProperty({ description: 'True for the ATP profiles shipped with convoi (read-only).' })
  seeded: boolean;
  @ApiProperty({ type: TemperatureBandDto })
  temperature: TemperatureBandDto;
  @ApiProperty({ type: ToleratedExcursionDto })
  toleratedExcursion: ToleratedExcursionDto;
  @ApiProperty({ description: 'g' })
  shockLimitG: number;
  @ApiProperty({ description: 'seconds' })
  expectedIntervalS: number;
  @ApiProperty({ description: '%' })
  batteryLowPct: number;
}

export class ProfilePageDto {
  @ApiProperty({ type: [ProfileViewDto] })
  items: ProfileViewDto[];
  @ApiPropertyOptional({ description: 'Cursor of the next page; absent on the last page.' })
  nextCursor?: string;
}
