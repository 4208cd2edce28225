import { Module } from '@nestjs/common';
import { ProfilesController } from './profiles.controller.js';
import { ProfilesRepository } from './profiles.repository.js';
import { ProfilesService } from './profiles.service.js';

/**
 * Stored product profiles (seeded from product-profiles.ts at every start). The repository is
 * exported for the shipments' migrations, which need the profiles table first.
 */
@Module({
  controllers: [ProfilesController],
  providers: [ProfilesRepository, ProfilesService],
  exports: [ProfilesService, ProfilesRepository],
})
export class ProfilesModule {}
