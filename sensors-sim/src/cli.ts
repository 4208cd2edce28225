#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerProvisionCommand } from './cli/provision.command.js';
import { registerReplayCommand } from './cli/replay.command.js';
import { registerRunCommand } from './cli/run.command.js';
import { registerScenariosCommand } from './cli/scenarios.command.js';
import { registerSendCommand } from './cli/send.command.js';
import { EXIT, UsageError } from './cli/usage.error.js';
import { ReplayFileError } from './replay/replay.reader.js';
import { ScenarioError } from './scenario/scenario.loader.js';

/**
 * convoi-sim: the field technicians' sensor simulator.
 * Exit codes: 0 ok, 1 runtime error (broker or API unreachable), 2 bad arguments or input files.
 */
function buildProgram(): Command {
  const program = new Command('convoi-sim')
    .description(
      'Simulated cold-chain sensors for convoi: real French routes, reefer physics, every wire format',
    )
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerRunCommand(program);
  registerSendCommand(program);
  registerReplayCommand(program);
  registerScenariosCommand(program);
  registerProvisionCommand(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message (or the help).
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`convoi-sim: error: ${message}\n`);
    const usage = err instanceof UsageError || err instanceof ScenarioError || err instanceof ReplayFileError;
    return usage ? EXIT.usage : EXIT.runtime;
  }
}

// `convoi-sim run --dry-run | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
});

process.exitCode = await main(process.argv);
