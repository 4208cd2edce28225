import type { Command } from 'commander';
import { generateMessages } from '../generator/message.generator.js';
import { MqttPublisher } from '../publish/mqtt.publisher.js';
import { ProgressDisplay } from '../publish/progress.display.js';
import { loadScenario } from '../scenario/scenario.loader.js';
import type { WireFormat } from '../scenario/scenario.types.js';
import { buildWorld } from '../world/fleet.js';
import { parseCount, parseDuration, parseFormat, parseInstant, parsePositive } from './cli-options.js';
import { addBrokerOptions, type BrokerCliOptions } from './publish-options.js';

interface RunOptions extends BrokerCliOptions {
  scenario: string;
  devices?: number;
  speedup?: number;
  seed: string;
  duration?: number;
  format?: WireFormat;
  start?: number;
  dryRun?: boolean;
}

export function registerRunCommand(program: Command): void {
  const command = program
    .command('run')
    .description('simulate a fleet: run a named scenario (or a scenario JSON file) against a broker')
    .requiredOption('--scenario <name|file>', 'scenario name (see `scenarios`) or a JSON file')
    .option('--devices <n>', 'number of devices (default: the scenario’s)', parseCount)
    .option('--speedup <x>', 'simulated seconds per wall second (default: the scenario’s)', parsePositive)
    .option('--seed <seed>', 'seed: the same seed gives the same messages, byte for byte', 'convoi')
    .option(
      '--duration <d>',
      'simulated duration, e.g. 30s, 15m, 6h (default: the scenario’s)',
      parseDuration,
    )
    .option(
      '--format <format>',
      'wire format: json | chirpstack | tts (default: the scenario’s)',
      parseFormat,
    )
    .option('--start <iso|now>', 'simulated start (default: now, or duration ago when sped up)', parseInstant)
    .option('--dry-run', 'print the messages as JSON lines instead of publishing');
  addBrokerOptions(command).action(async (o: RunOptions) => {
    const scenario = loadScenario(o.scenario);
    const speedup = o.speedup ?? scenario.speedup;
    const durationMs = o.duration ?? scenario.durationMs;
    const format = o.format ?? scenario.format;
    // Sped-up readings would otherwise carry future times the platform rejects (> 5 min ahead):
    // a sped-up run replays the recent past instead.
    const now = Math.floor(Date.now() / 1000) * 1000;
    const startMs = o.start ?? (speedup > 1 ? now - durationMs : now);
    const world = buildWorld(scenario, { seed: o.seed, startMs, devices: o.devices, durationMs });
    const messages = generateMessages(world, format);
    if (o.dryRun) {
      for (const m of messages) {
        const line = `${JSON.stringify({ at: m.atSimMs, topic: m.topic, payload: m.payload.toString() })}\n`;
        if (!process.stdout.write(line))
          await new Promise((resolve) => process.stdout.once('drain', resolve));
      }
      return;
    }
    const secrets = new Map(world.devices.map((d) => [d.deviceId, d.secret]));
    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    const display = new ProgressDisplay(process.stdout);
    const publisher = new MqttPublisher({
      brokerUrl: o.broker,
      connections: o.connections ?? (o.username || format !== 'json' ? 'single' : 'per-device'),
      username: o.username,
      password: o.password,
      deviceSecret: (id) => secrets.get(id),
      speedup,
      simStartMs: startMs,
      qos: o.qos,
      onProgress: (s) => display.update(s),
      signal: controller.signal,
    });
    try {
      const stats = await publisher.publishAll(messages);
      display.finish(stats, controller.signal.aborted ? 'interrupted' : 'done');
    } finally {
      process.off('SIGINT', onSigint);
    }
  });
}
