import type { Command } from 'commander';
import { provisionRequests } from '../provision/provision.bodies.js';
import { provision } from '../provision/provision.client.js';
import { loadScenario } from '../scenario/scenario.loader.js';
import type { WireFormat } from '../scenario/scenario.types.js';
import { buildWorld } from '../world/fleet.js';
import { parseCount, parseDuration, parseFormat, parseHttpUrl, parseInstant } from './cli-options.js';

interface ProvisionOptions {
  api: string;
  key: string;
  scenario: string;
  seed: string;
  devices?: number;
  duration?: number;
  start?: number;
  format?: WireFormat;
}

export function registerProvisionCommand(program: Command): void {
  program
    .command('provision')
    .description('register the simulated sites, containers, devices and shipments through the REST API')
    .requiredOption('--api <url>', 'convoi base URL, e.g. http://127.0.0.1:3000', parseHttpUrl)
    .requiredOption('--key <key>', 'API key (planner or admin)')
    .option('--scenario <name|file>', 'scenario whose world to register', 'normal-day')
    .option('--seed <seed>', 'the seed `run` will use', 'convoi')
    .option('--devices <n>', 'number of devices (default: the scenario’s)', parseCount)
    .option('--duration <d>', 'simulated duration (default: the scenario’s)', parseDuration)
    .option('--start <iso|now>', 'simulated start, as given to `run`', parseInstant)
    .option('--format <format>', 'wire format the devices will use', parseFormat)
    .action(async (o: ProvisionOptions) => {
      const scenario = loadScenario(o.scenario);
      const durationMs = o.duration ?? scenario.durationMs;
      const now = Math.floor(Date.now() / 1000) * 1000;
      const startMs = o.start ?? (scenario.speedup > 1 ? now - durationMs : now);
      const world = buildWorld(scenario, { seed: o.seed, startMs, devices: o.devices, durationMs });
      const requests = provisionRequests(world, o.format ?? scenario.format);
      let outcome;
      try {
        outcome = await provision(o.api, o.key, requests);
      } catch (err) {
        throw new Error(`cannot reach ${o.api}: ${(err as Error).message}`, { cause: err });
      }
      process.stdout.write(
        `provisioned ${requests.length} items: ${outcome.created} created, ${outcome.existing} already there, ` +
          `${outcome.failed.length} failed\n`,
      );
      for (const f of outcome.failed.slice(0, 10)) {
        process.stderr.write(`  ${f.what} ${f.id}: HTTP ${f.status} ${f.detail}\n`);
      }
      if (outcome.failed.length > 0) throw new Error(`${outcome.failed.length} requests failed`);
    });
}
