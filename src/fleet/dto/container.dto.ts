import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { CONTAINER_KINDS, type ContainerKind } from '../fleet.types.js';

export class ContainerDto {
  /** Stable container id, e.g. `RC-000123` (often the asset tag). */
  @IsEntityId()
  id: string;

  @IsIn(CONTAINER_KINDS)
  kind: ContainerKind;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  label: string;

  /** Home site id. */
  @IsOptional()
  @IsEntityId()
  siteId?: string;

  /** Capacity and handling notes. */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  notes?: string;
}
