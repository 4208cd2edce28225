import { Logger, ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module.js';
import { AuditHooks } from './audit/audit.hooks.js';
import { BrokerService } from './broker/broker.service.js';
import { ClusterIntake } from './cluster/cluster-intake.js';
import type { AppConfig } from './app-settings.js';
import { ProcessRoles } from './config/process-roles.js';
import { FleetImportService } from './fleet/fleet-import.service.js';
import { refuseNulInUrl } from './http/nul-in-url.hook.js';
import { refuseApiOutsideApiRole } from './http/api-role.hook.js';
import { corsOptions } from './http/cors.options.js';
import { createHttpAdapter } from './http/http-adapter.js';
import { secureOpenApi } from './http/openapi/secure-openapi.js';
import { ProblemDetailsFilter } from './http/problem-details.filter.js';
import { connectIngestionConsumer } from './ingestion/transport/ingestion-consumer.connector.js';
import { logOutputFrom } from './logging/log-output.js';
import { useStructuredLogs } from './logging/structured-logs.js';

/** The running platform: its URLs and the one way to stop it cleanly. */
export interface RunningConvoi {
  app: INestApplication;
  httpUrl: string;
  /** URL of the embedded broker (or the external one). */
  mqttUrl: string;
  stop(): Promise<void>;
}

/** Creates the Nest application (not started). Tests build theirs with overrides instead. */
export function createApp(config: AppConfig): Promise<INestApplication> {
  const { nest } = useStructuredLogs(logOutputFrom(config));
  return NestFactory.create(AppModule.forRoot(config), createHttpAdapter(config), {
    logger: nest,
    abortOnError: false,
  });
}

/**
 * Start order: stores and broker (module init) → fleet seed → MQTT consumer → HTTP.
 * Stop order is the reverse of intake: consumer first, so nothing arrives while the writers
 * flush, then the app (writers flush in beforeApplicationShutdown, stores close last).
 */
export async function startApp(app: INestApplication, config: AppConfig): Promise<RunningConvoi> {
  configureHttp(app, config);
  await app.init();
  if (config.FLEET_SEED_FILE !== '') await importSeed(app, config.FLEET_SEED_FILE);
  const broker = app.get(BrokerService);
  const mqttUrl = config.MQTT_URL ?? broker.localUrl();
  const roles = app.get(ProcessRoles);
  // In cluster mode the pipeline's intake is the shared log, started with the partitions' leases.
  const intake = roles.inbox
    ? connectIngestionConsumer(app, config, mqttUrl)
    : roles.logProcessor
      ? app.get(ClusterIntake)
      : undefined;
  await intake?.start();
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  const port = (app.getHttpServer() as Server).address() as AddressInfo;
  const scheme = config.HTTP_TLS_CERT_FILE && config.HTTP_TLS_KEY_FILE ? 'https' : 'http';
  const httpUrl = `${scheme}://127.0.0.1:${port.port}`;
  new Logger('Convoi').log(
    { httpUrl, mqttUrl, roles: roles.toString() },
    `Roles ${roles.toString()}: HTTP on ${httpUrl}${roles.has('edge') ? `, MQTT on ${mqttUrl}` : ''}`,
  );
  let stopping: Promise<void> | undefined;
  return {
    app,
    httpUrl,
    mqttUrl,
    stop: () =>
      (stopping ??= (async () => {
        await intake?.stop();
        await app.close();
      })()),
  };
}

function configureHttp(app: INestApplication, config: AppConfig): void {
  // Security headers come with the adapter (createHttpAdapter); paths no route claims get the
  // same 404 problem+json as an unknown route under `/api/v1`, from Nest's not-found handler.
  const server = app.getHttpAdapter().getInstance() as FastifyInstance;
  if (!app.get(ProcessRoles).has('api')) refuseApiOutsideApiRole(server);
  refuseNulInUrl(server);
  app.get(AuditHooks).install(server);
  const cors = corsOptions(config.CORS_ORIGINS);
  if (cors) app.enableCors(cors);
  app.setGlobalPrefix('api/v1', { exclude: ['health', 'health/live', 'health/ready', 'metrics'] });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: true,
    }),
  );
  app.useGlobalFilters(new ProblemDetailsFilter());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('convoi')
      .setDescription('Cold chain, shocks and location of retail containers, from warehouse to store.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key (`cv_…`)' }, 'bearer')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, secureOpenApi(document), { jsonDocumentUrl: 'api/docs.json' });
}

async function importSeed(app: INestApplication, path: string): Promise<void> {
  if (!existsSync(path)) {
    new Logger('Convoi').warn({ path }, 'FLEET_SEED_FILE not found: starting with the fleet already stored');
    return;
  }
  await app.get(FleetImportService).importFile(path);
}
