import { Module } from '@nestjs/common';
import { BrokerService } from './broker.service.js';
import { PlatformCredential } from './platform-credential.js';

/** The embedded MQTT broker and the platform's own credential on it. */
@Module({ providers: [BrokerService, PlatformCredential], exports: [BrokerService, PlatformCredential] })
export class BrokerModule {}
