import { Module } from '@nestjs/common';
import { FleetModule } from '#src/fleet/fleet.module.js';
import { DeviceCredentialStore } from './auth/device-credential.store.js';
import { BrokerService } from './broker.service.js';
import { CredentialsController } from './credentials.controller.js';
import { PlatformCredential } from './platform-credential.js';
import { configSliceProvider } from '#src/config/config-slice.js';
import { BrokerConfig } from './broker.config.js';
import { ProxyProtocolConfig } from './proxy-protocol.config.js';

/** The embedded MQTT broker, its credential store and the platform's own credential on it. */
@Module({
  imports: [FleetModule],
  controllers: [CredentialsController],
  providers: [
    configSliceProvider(BrokerConfig),
    configSliceProvider(ProxyProtocolConfig),
    BrokerService,
    PlatformCredential,
    DeviceCredentialStore,
  ],
  exports: [BrokerService, PlatformCredential, DeviceCredentialStore],
})
export class BrokerModule {}
