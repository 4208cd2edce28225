import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { INTEGRATION_KINDS, type IntegrationKind } from './auth/principal.js';

export class DeviceIdParams {
  @ApiProperty({ description: 'Device id (its MQTT username).' })
  @IsEntityId()
  id: string;
}

export class IntegrationNameParams {
  @ApiProperty({ description: 'Integration name (its MQTT username).' })
  @IsEntityId()
  name: string;
}

export class CreateIntegrationDto {
  @ApiProperty({ example: 'chirpstack-eu', description: 'MQTT username of the integration.' })
  @IsEntityId()
  name: string;

  @ApiProperty({
    enum: INTEGRATION_KINDS,
    description:
      '`chirpstack` (publishes under `application/`), `tts` (under `v3/`), `operator` (read-only ' +
      'observer), `platform` (another convoi process).',
  })
  @IsIn(INTEGRATION_KINDS)
  kind: IntegrationKind;

  @ApiPropertyOptional({
    maxLength: 200,
    example: 'application/42',
    description: "Narrower topic root; must lie under the kind's root.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  topicRoot?: string;
}

/** A credential's secret: returned once, at creation or rotation, never again. */
export class IssuedCredential {
  @ApiProperty({ description: 'MQTT username: the device id or the integration name.' })
  username: string;
  @ApiProperty({ description: 'MQTT password. Shown this once: convoi keeps only its hash.' })
  secret: string;
  @ApiProperty({ description: 'A reminder that the secret is not shown again.' })
  note: string;
}
