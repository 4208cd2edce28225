import 'reflect-metadata';
import { createApp, startApp } from './bootstrap.js';
import { ConfigError } from './config/config.error.js';
import { loadConfig } from './app-settings.js';
import { readEnvironment } from './config/read-environment.js';

/** Runs a start step; a configuration error (the variables, or one the data refuses) ends it. */
async function orExitOnConfigError<T>(step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

const config = await orExitOnConfigError(() => loadConfig(readEnvironment()));
// A store may refuse the configuration once it sees its data (PARTITIONS, fixed at first start).
const running = await orExitOnConfigError(async () => startApp(await createApp(config), config));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  });
}
