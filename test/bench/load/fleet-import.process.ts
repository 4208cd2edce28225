// convoi in a process of its own, as `npm start` wires it (startTestApp), importing the bench
// fleet through FleetImportService, as a seed file or pages of the admin API are: a fresh heap
// for each import, and convoi's CPU apart from the bench's and PostgreSQL's.
import 'reflect-metadata';
import { FleetImportService } from '#src/fleet/fleet-import.service.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { importFleet } from '../support/import-fleet.js';
import { answerCommands } from '../support/child-process.js';
import type { FleetImportCommand, FleetImportReport } from './fleet-import.protocol.js';

let app: TestApp | undefined;

async function handle(command: FleetImportCommand): Promise<FleetImportReport> {
  if (command.type === 'start') {
    app = await startTestApp({
      env: {
        LOG_LEVEL: 'warn',
        FLEET_SEED_FILE: '',
        BROKER_THREAD: 'false',
        ...(command.databaseUrl !== undefined && { DATABASE_URL: command.databaseUrl }),
      },
    });
    return { type: 'started' };
  }
  if (app === undefined) throw new Error('import before start');
  const fleet = importFleet(command.containers);
  const importer = app.running.app.get(FleetImportService);
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const started = performance.now();
  const summary = await importer.import(fleet);
  const wallS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const { idle } = performance.eventLoopUtilization(loop);
  const round = (s: number) => Math.round(s * 100) / 100;
  return {
    type: 'imported',
    wallS: round(wallS),
    convoiCpuS: round((used.user + used.system) / 1e6),
    mainIdleS: round(idle / 1000),
    containers: summary.containers,
  };
}

answerCommands('fleet import', handle);
process.on('disconnect', () => {
  const closing = app?.close() ?? Promise.resolve();
  closing.then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
