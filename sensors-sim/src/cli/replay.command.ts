import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MqttPublisher } from '../publish/mqtt.publisher.js';
import { ProgressDisplay } from '../publish/progress.display.js';
import { readReplayFile } from '../replay/replay.reader.js';
import { parsePositive } from './cli-options.js';
import { addBrokerOptions, type BrokerCliOptions } from './publish-options.js';
import { UsageError } from './usage.error.js';

interface ReplayOptions extends BrokerCliOptions {
  speedup: number;
  shiftToNow?: boolean;
}

export function registerReplayCommand(program: Command): void {
  const command = program
    .command('replay')
    .description('replay recorded readings (CSV or JSON Lines) at real or accelerated pace, as native JSON')
    .argument('<file>', 'a .csv (header: deviceId,ts,temperature,...) or .jsonl file')
    .option('--speedup <x>', 'recorded seconds per wall second', parsePositive, 1)
    .option('--shift-to-now', 'move the timestamps so the first reading is now');
  addBrokerOptions(command).action(async (file: string, o: ReplayOptions) => {
    const kind = file.endsWith('.csv')
      ? 'csv'
      : file.endsWith('.jsonl') || file.endsWith('.ndjson')
        ? 'jsonl'
        : undefined;
    if (!kind) throw new UsageError(`${file}: use a .csv or .jsonl file`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
    }
    const probe = readReplayFile(text, kind);
    if (probe.length === 0) throw new UsageError(`${file}: no readings`);
    const firstMs = probe[0].atSimMs;
    const messages = o.shiftToNow ? readReplayFile(text, kind, Date.now() - firstMs) : probe;
    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    const display = new ProgressDisplay(process.stdout);
    try {
      const stats = await new MqttPublisher({
        brokerUrl: o.broker,
        connections: o.connections ?? (o.username ? 'single' : 'per-device'),
        username: o.username,
        password: o.password,
        speedup: o.speedup,
        simStartMs: firstMs,
        qos: o.qos,
        onProgress: (s) => display.update(s),
        signal: controller.signal,
      }).publishAll(messages);
      display.finish(stats, controller.signal.aborted ? 'interrupted' : 'done');
    } finally {
      process.off('SIGINT', onSigint);
    }
  });
}
