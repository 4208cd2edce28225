import type { Command } from 'commander';
import { SCENARIOS } from '../../scenarios/scenario-catalog.js';

export function registerScenariosCommand(program: Command): void {
  program
    .command('scenarios')
    .description('list the named scenarios with a one-line description')
    .option('--alerts', 'also list the alerts each scenario should cause')
    .action((o: { alerts?: boolean }) => {
      const width = Math.max(...SCENARIOS.map((s) => s.name.length));
      for (const s of SCENARIOS) {
        process.stdout.write(`${s.name.padEnd(width)}  ${s.description}\n`);
        if (!o.alerts) continue;
        if (s.expectedAlerts.length === 0) process.stdout.write(`${''.padEnd(width)}    alerts: none\n`);
        for (const a of s.expectedAlerts) {
          process.stdout.write(
            `${''.padEnd(width)}    alert ${a.rule} (${a.severity}, ${a.containers}): ${a.why}\n`,
          );
        }
      }
    });
}
