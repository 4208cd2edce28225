import 'reflect-metadata';
import { createApp, startApp } from './bootstrap.js';
import { ConfigError } from './config/config.error.js';
import { loadConfig } from './config/load-config.js';
import { readEnvironment } from './config/read-environment.js';

function configOrExit() {
  try {
    return loadConfig(readEnvironment());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

const config = configOrExit();
const running = await startApp(await createApp(config), config);
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
