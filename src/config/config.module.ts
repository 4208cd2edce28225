import { DynamicModule, Global, Module } from '@nestjs/common';
import { LoadedSettings } from './load-config.js';
import { ProcessRoles, type RolesConfig } from './process-roles.js';

/**
 * Provides the validated settings to every module, for each feature's slices
 * (config-slice.ts). The settings are loaded once, by the caller (main.ts or a test), so a bad
 * value stops the process before Nest starts; so are its {@link ProcessRoles}, whose impossible
 * combinations stop it here.
 */
@Global()
@Module({})
export class ConfigModule {
  /** `config`: every setting by variable name (the loaded settings' values). */
  static forRoot(config: RolesConfig, roles: ProcessRoles = ProcessRoles.of(config)): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        // Every setting is there, not only the roles' (the caller loaded them all).
        {
          provide: LoadedSettings,
          useValue: new LoadedSettings(config as unknown as Record<string, unknown>),
        },
        { provide: ProcessRoles, useValue: roles },
      ],
      exports: [LoadedSettings, ProcessRoles],
    };
  }
}
