import { Option, type Command } from 'commander';
import { parseBrokerUrl, parseQos } from './cli-options.js';

/** Broker options shared by `run`, `send` and `replay`. */
export interface BrokerCliOptions {
  broker: string;
  username?: string;
  password?: string;
  qos: 0 | 1;
  connections?: 'single' | 'per-device';
}

export const DEFAULT_BROKER = 'mqtt://127.0.0.1:1883';

export function addBrokerOptions(command: Command): Command {
  return command
    .option('--broker <url>', 'MQTT broker URL', parseBrokerUrl, DEFAULT_BROKER)
    .option(
      '--username <name>',
      'MQTT username (one shared connection; default: per device, username = device id)',
    )
    .option('--password <secret>', 'MQTT password')
    .option('--qos <0|1>', 'MQTT QoS of the published messages', parseQos, 1)
    .addOption(
      new Option(
        '--connections <mode>',
        'one MQTT connection per device, or one shared (default: per device for json)',
      ).choices(['single', 'per-device']),
    );
}
