import 'reflect-metadata';
import type { LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { AppModule } from '#src/app.module.js';
import { startApp, type RunningConvoi } from '#src/bootstrap.js';
import { createHttpAdapter } from '#src/http/http-adapter.js';
import { Clock } from '#src/common/clock.js';
import type { AppConfig } from '#src/app-settings.js';
import { loadConfig } from '#src/app-settings.js';
import { logOutputFrom } from '#src/logging/log-output.js';
import { useStructuredLogs } from '#src/logging/structured-logs.js';

/** The example fleet shipped with convoi (config/fleet.example.json). */
export const EXAMPLE_SEED = resolve('config/fleet.example.json');

export interface TestAppOptions {
  /** Extra environment (overrides the test defaults). */
  env?: Record<string, string>;
  /** Reuse a data dir (restart tests); a fresh temp dir otherwise. */
  dataDir?: string;
  /** A controllable clock (ManualClock) for rules, timers and retention tests. */
  clock?: Clock;
  /** Receives every log line (tests that check what is, or is not, logged). */
  logger?: LoggerService;
}

/** `request` options: `key` is the API key sent (default the admin key; null sends none). */
export type TestRequestInit = RequestInit & { key?: string | null };

export interface TestApp {
  running: RunningConvoi;
  config: AppConfig;
  dataDir: string;
  httpUrl: string;
  mqttUrl: string;
  /** The admin API key (CONVOI_ADMIN_KEY) every request sends unless told otherwise. */
  adminKey: string;
  /** GET/POST… on the API, JSON in and out, as the admin unless `key` says otherwise. */
  request(path: string, init?: TestRequestInit): Promise<{ status: number; body: any; headers: Headers }>;
  /** A connected MQTT.js client (closed by `close()`). */
  mqtt(options?: IClientOptions): Promise<MqttClient>;
  /** Stops the app (and its clients); removes the data dir unless `keepData`. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * Starts the real platform in this process: embedded Aedes, SQLite in a temp dir, HTTP and
 * MQTT on free loopback ports, exactly as `npm start` wires it (same startApp).
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'convoi-test-'));
  const config = loadConfig({
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    BROKER_HOST: '127.0.0.1',
    BROKER_PORT: '0',
    BROKER_ALLOW_ANONYMOUS: 'true',
    // One test connection often speaks for many devices: the per-device publish limit would cut it.
    BROKER_PUBLISH_RATE_PER_S: '1000000',
    BROKER_PUBLISH_BURST: '1000000',
    DATA_DIR: dataDir,
    FLEET_SEED_FILE: EXAMPLE_SEED,
    LOG_LEVEL: 'error',
    TELEMETRY_FLUSH_MS: '20',
    // The tests that wait for a checkpoint expect one every 5 s, on PostgreSQL too (30 s unset).
    STATE_CHECKPOINT_MS: '5000',
    CONVOI_ADMIN_KEY: `cv_test_${randomBytes(32).toString('base64url')}`,
    // Tests make many requests with one key; the rate-limit test sets its own limit.
    API_RATE_LIMIT: '1000000',
    ...options.env,
  });
  const adminKey = config.CONVOI_ADMIN_KEY ?? '';
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] });
  if (options.clock) builder = builder.overrideProvider(Clock).useValue(options.clock);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication(createHttpAdapter(config), {
    logger: options.logger ?? useStructuredLogs(logOutputFrom(config)).nest,
  });
  const running = await startApp(app, config);
  const clients: MqttClient[] = [];
  return {
    running,
    config,
    dataDir,
    httpUrl: running.httpUrl,
    mqttUrl: running.mqttUrl,
    adminKey,
    async request(path, init) {
      const headers = new Headers(init?.headers);
      const key = init?.key === undefined ? adminKey : init.key;
      if (key !== null && !headers.has('authorization')) headers.set('authorization', `Bearer ${key}`);
      if (init?.body !== undefined && !headers.has('content-type'))
        headers.set('content-type', 'application/json');
      const res = await fetch(running.httpUrl + path, { ...init, headers });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body, headers: res.headers };
    },
    async mqtt(clientOptions) {
      const client = await mqtt.connectAsync(running.mqttUrl, { reconnectPeriod: 0, ...clientOptions });
      clients.push(client);
      return client;
    },
    async close(closeOptions) {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await running.stop();
      if (!closeOptions?.keepData && options.dataDir === undefined)
        rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
