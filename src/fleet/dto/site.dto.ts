import { Type } from 'class-transformer';
import {
  IsArray,
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
  ValidateNested,
} from 'class-validator';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { SITE_KINDS, type SiteKind } from '../fleet.types.js';

export class GeofenceDto {
  /** `circle` (radius around the site's position) or `polygon` (GeoJSON). */
  @IsIn(['circle', 'polygon'])
  type: 'circle' | 'polygon';

  /** Circle radius, metres (10 m to 50 km). */
  @IsOptional()
  @IsNumber()
  @Min(10)
  @Max(50_000)
  radiusM?: number;

  /** GeoJSON Polygon coordinates: rings of `[lon, lat]`, first ring the outline. */
  @IsOptional()
  @IsArray()
  coordinates?: number[][][];
}

export class SiteDto {
  /** Stable site id, e.g. `DC-LYON-SQF`. */
  @IsEntityId()
  id: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @IsIn(SITE_KINDS)
  kind: SiteKind;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string;

  /** Latitude, degrees WGS84. */
  @IsLatitude()
  lat: number;

  /** Longitude, degrees WGS84. */
  @IsLongitude()
  lon: number;

  @ValidateNested()
  @Type(() => GeofenceDto)
  geofence: GeofenceDto;
}
