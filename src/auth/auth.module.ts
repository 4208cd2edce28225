import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyRepository } from './api-key.repository.js';
import { ApiKeyThrottlerGuard } from './api-key-throttler.guard.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { configSliceProvider } from '#src/config/config-slice.js';
import { AuthConfig } from './auth.config.js';

/**
 * API keys and roles. The two global guards are declared here, in this order, so that
 * authentication runs before rate limiting (the limit is per key).
 */
@Module({
  controllers: [ApiKeysController],
  providers: [
    configSliceProvider(AuthConfig),
    ApiKeyRepository,
    ApiKeysService,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: ApiKeyThrottlerGuard },
  ],
  exports: [ApiKeysService],
})
export class AuthModule {}
