import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { INTEGRATION_KINDS, type IntegrationKind } from './auth/principal.js';

export class DeviceIdParams {
  @IsEntityId()
  id: string;
}

export class IntegrationNameParams {
  @IsEntityId()
  name: string;
}

export class CreateIntegrationDto {
  /** MQTT username of the integration, e.g. `chirpstack-eu`. */
  @IsEntityId()
  name: string;

  /** `chirpstack` (topics under `application/`), `tts` (under `v3/`), `operator` (read-only observer). */
  @IsIn(INTEGRATION_KINDS)
  kind: IntegrationKind;

  /** Narrower topic root, e.g. `application/42` (must lie under the kind's root). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  topicRoot?: string;
}

/** A credential's secret: returned once, at creation or rotation, never again. */
export interface IssuedCredential {
  username: string;
  secret: string;
  note: string;
}
