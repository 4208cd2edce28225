import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '#src/auth/roles.decorator.js';
import { DomainError } from '#src/common/domain-error.js';
import { DeviceDirectory } from '#src/fleet/device-directory.service.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import { DeviceCredentialStore } from './auth/device-credential.store.js';
import {
  CreateIntegrationDto,
  DeviceIdParams,
  IntegrationNameParams,
  IssuedCredential,
} from './credentials.dto.js';

const SHOWN_ONCE = 'Store this secret now: convoi keeps only its hash and will not show it again.';

/** MQTT credentials of devices and network-server integrations (admin only). */
@ApiTags('credentials')
@Controller()
@Requires('admin')
export class CredentialsController {
  constructor(
    private readonly store: DeviceCredentialStore,
    private readonly devices: DeviceDirectory,
  ) {}

  @Post('devices/:id/credentials')
  @ApiOperation({ summary: "Issue a device's MQTT secret, or rotate it (the old one stops at once)" })
  @ApiCreatedResponse({ type: IssuedCredential })
  @ApiProblems(400, 404)
  async issueDevice(@Param() params: DeviceIdParams): Promise<IssuedCredential> {
    if (!this.devices.byId(params.id)) {
      throw new DomainError('not-found', 'fleet.device-not-found', `device ${params.id} does not exist`);
    }
    let secret: string;
    try {
      secret = await this.store.issue(params.id);
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'broker.credential-exists')) throw err;
      secret = await this.store.rotate(params.id);
    }
    return { username: params.id, secret, note: SHOWN_ONCE };
  }

  @Delete('devices/:id/credentials')
  @HttpCode(204)
  @ApiOperation({ summary: "Revoke a device's MQTT secret and close its session" })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems(400, 404)
  revokeDevice(@Param() params: DeviceIdParams): Promise<void> {
    return this.store.revoke(params.id);
  }

  @Post('admin/integrations')
  @ApiOperation({ summary: 'Create a network-server or operator MQTT credential' })
  @ApiCreatedResponse({ type: IssuedCredential })
  @ApiProblems(400, 409)
  async createIntegration(@Body() body: CreateIntegrationDto): Promise<IssuedCredential> {
    const secret = await this.store.issueIntegration(body.name, body.kind, body.topicRoot);
    return { username: body.name, secret, note: SHOWN_ONCE };
  }

  @Delete('admin/integrations/:name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an integration credential and close its sessions' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems(400, 404)
  revokeIntegration(@Param() params: IntegrationNameParams): Promise<void> {
    return this.store.revokeIntegration(params.name);
  }
}
