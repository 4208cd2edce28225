import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsLatitude,
  IsLongitude,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { SITE_KINDS, type SiteKind } from '../fleet.types.js';
import { IsGeoJsonPolygon } from './geojson-polygon.validator.js';

export class GeofenceDto {
  @ApiProperty({
    enum: ['circle', 'polygon'],
    description: '`circle` around the site position, or a GeoJSON `polygon`.',
  })
  @IsIn(['circle', 'polygon'])
  type: 'circle' | 'polygon';

  @ApiPropertyOptional({
    description: 'Circle radius, metres (10 m–50 km); required for a circle.',
    minimum: 10,
    maximum: 50_000,
  })
  @ValidateIf((g: GeofenceDto) => g.type === 'circle' || g.radiusM !== undefined)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(10)
  @Max(50_000)
  radiusM?: number;

  @ApiPropertyOptional({
    description:
      'GeoJSON Polygon coordinates (RFC 7946): rings of `[lon, lat]` degrees, closed (last = first), ' +
      '≥ 4 positions each, first ring the outline; required for a polygon.',
    type: 'array',
    items: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
    example: [
      [
        [5.11, 45.64],
        [5.12, 45.64],
        [5.12, 45.65],
        [5.11, 45.64],
      ],
    ],
  })
  @ValidateIf((g: GeofenceDto) => g.type === 'polygon' || g.coordinates !== undefined)
  @IsDefined()
  @IsGeoJsonPolygon()
  coordinates?: number[][][];
}

export class SiteDto {
  @ApiProperty({
    description: 'Stable site id (1–64 of letters, digits, `.`, `_`, `-`).',
    example: 'DC-LYON-SQF',
  })
  @IsEntityId()
  id: string;

  @ApiProperty({ example: 'Entrepôt frais Lyon', minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: SITE_KINDS })
  @IsIn(SITE_KINDS)
  kind: SiteKind;

  @ApiPropertyOptional({ maxLength: 500, example: 'Parc de Chesnes, 38070 Saint-Quentin-Fallavier' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string;

  @ApiProperty({ description: 'Latitude, degrees WGS84 (−90…90).', example: 45.6418 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsLatitude()
  lat: number;

  @ApiProperty({ description: 'Longitude, degrees WGS84 (−180…180).', example: 5.1135 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsLongitude()
  lon: number;

  @ApiProperty({
    type: GeofenceDto,
    description: 'Where the site begins: arrival and departure are judged on it.',
  })
  @IsDefined()
  @ValidateNested()
  @Type(() => GeofenceDto)
  geofence: GeofenceDto;
}

export class UpdateSiteDto extends PartialType(OmitType(SiteDto, ['id'] as const)) {}

export class SiteViewDto extends SiteDto {}

export class SitePageDto {
  @ApiProperty({ type: [SiteViewDto] })
  items: SiteViewDto[];
  @ApiPropertyOptional({ description: 'Cursor of the next page; absent on the last page.' })
  nextCursor?: string;
}

export class SiteListQueryDto {
  @ApiPropertyOptional({ enum: SITE_KINDS, description: 'Only sites of this kind.' })
  @IsOptional()
  @IsIn(SITE_KINDS)
  kind?: SiteKind;
}
