import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config.js';
import { ProcessRoles } from './process-roles.js';

/**
 * Provides the validated {@link AppConfig} to every module. The configuration is loaded once,
 * by the caller (main.ts or a test), so a bad value stops the process before Nest starts; so
 * are its {@link ProcessRoles}, whose impossible combinations stop it here.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, roles: ProcessRoles = ProcessRoles.of(config)): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: ProcessRoles, useValue: roles },
      ],
      exports: [AppConfig, ProcessRoles],
    };
  }
}
