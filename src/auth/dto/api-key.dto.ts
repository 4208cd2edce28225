import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { ROLES, type Role } from '../api-key.types.js';

export class CreateApiKeyDto {
  @ApiProperty({
    description: 'What or who the key is for (shown in audit trails as the actor): a team, a script.',
    example: 'planning-lyon',
    minLength: 1,
    maxLength: 100,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/^[^\p{Cc}]*$/u, { message: 'name must not contain control characters' })
  name: string;

  @ApiProperty({
    enum: ROLES,
    description: 'viewer: read; planner: read and write fleet and shipments; admin: all.',
  })
  @IsIn(ROLES)
  role: Role;
}

export class ApiKeyIdParams {
  @ApiProperty({ description: 'Key id (`k-…`), not the key.' })
  @IsEntityId()
  id: string;
}

export class ApiKeyViewDto {
  @ApiProperty({ example: 'k-3f9a0c1d2e4b5a69' })
  id: string;
  @ApiProperty()
  name: string;
  @ApiProperty({ enum: ROLES })
  role: Role;
  @ApiProperty({
    description: 'First characters of the key, to recognise it; never usable.',
    example: 'cv_AbCd…',
  })
  hint: string;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ description: 'Name of the key that created it.' })
  createdBy: string;
  @ApiPropertyOptional({ format: 'date-time' })
  revokedAt?: string;
}

export class CreatedApiKeyDto extends ApiKeyViewDto {
  @ApiProperty({
    description: 'The key. Shown this once: only its SHA-256 digest is stored.',
    example: 'cv_…',
  })
  key: string;
}

export class ApiKeyPageDto {
  @ApiProperty({ type: [ApiKeyViewDto] })
  items: ApiKeyViewDto[];
  @ApiPropertyOptional({ description: 'Cursor of the next page; absent on the last page.' })
  nextCursor?: string;
}
