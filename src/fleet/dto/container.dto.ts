import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { CONTAINER_KINDS, type ContainerKind } from '../fleet.types.js';

export class ContainerDto {
  @ApiProperty({ description: 'Stable container id, often the asset tag.', example: 'RC-000123' })
  @IsEntityId()
  id: string;

  @ApiProperty({ enum: CONTAINER_KINDS })
  @IsIn(CONTAINER_KINDS)
  kind: ContainerKind;

  @ApiProperty({ example: 'Semi frigorifique 13,6 m n°1', minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  label: string;

  @ApiPropertyOptional({ description: 'Home site id (where the container is based).' })
  @IsOptional()
  @IsEntityId()
  siteId?: string;

  @ApiPropertyOptional({
    description: 'Capacity and handling notes (e.g. "33 pallets, 2 zones").',
    maxLength: 1000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  notes?: string;
}

export class UpdateContainerDto extends PartialType(OmitType(ContainerDto, ['id'] as const)) {}

export class ContainerListQueryDto {
  @ApiPropertyOptional({ enum: CONTAINER_KINDS, description: 'Only containers of this kind.' })
  @IsOptional()
  @IsIn(CONTAINER_KINDS)
  kind?: ContainerKind;

  @ApiPropertyOptional({ description: 'Only containers based at this site.' })
  @IsOptional()
  @IsEntityId()
  siteId?: string;
}

export class ContainerIdParams {
  @ApiProperty({ description: 'Container id.' })
  @IsEntityId()
  id: string;
}

export class ContainerViewDto extends ContainerDto {
  @ApiProperty({
    nullable: true,
    description:
      'Live state: per measurement the value with the newest measuredAt (epoch ms), ' +
      'plus lastMeasuredAt, lastReceivedAt, lastDeviceId and shipmentId; null before any reading.',
    type: 'object',
    additionalProperties: true,
  })
  live: Record<string, unknown> | null;
}

export class ContainerPageDto {
  @ApiProperty({ type: [ContainerViewDto] })
  items: ContainerViewDto[];
  @ApiPropertyOptional({ description: 'Cursor of the next page; absent on the last page.' })
  nextCursor?: string;
}
