// Alert changes on the rule path: the synchronous cost per `rule.concluded` event (what a reading
// that concludes a rule pays in the alert lifecycle: decide, store or queue, notify). Per
// container: a raise, then updates (every other one a worse peak, hence history and
// announcements; the others only refresh the row), then a clear.
// Run: node dist/test/bench/alert-changes.bench.js [containers] [updates] [DATABASE_URL]
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { DomainEvents } from '#src/common/events/domain-events.js';
import type { BatteryLowRule } from '#src/contracts/rule-definition.js';
import { startTestApp } from '#test/support/test-app.js';

const CONTAINERS = Number(process.argv[2] ?? 2_000);
const UPDATES = Number(process.argv[3] ?? 20);
const url = process.argv[4];

const app = await startTestApp({
  env: { LOG_LEVEL: 'warn', FLEET_SEED_FILE: '', ...(url !== undefined && { DATABASE_URL: url }) },
});
const events = app.running.app.get(DomainEvents);
const rule: BatteryLowRule = {
  id: 'battery-low',
  kind: 'battery-low',
  field: 'batteryPct',
  lowPct: 20,
  clearMarginPct: 5,
  severity: { base: 'warning' },
};
const t0 = Date.now() - 86_400_000;
const conclude = (i: number, outcome: Parameters<typeof events.emit<'rule.concluded'>>[1]['outcome']) =>
  events.emit('rule.concluded', { containerId: `C-${i}`, deviceId: `D-${i}`, rule, outcome });

const started = performance.now();
let n = 0;
for (let i = 0; i < CONTAINERS; i++) {
  conclude(i, { kind: 'raise', severity: 'warning', value: 15, message: 'battery low', at: t0 });
  n++;
}
for (let u = 1; u <= UPDATES; u++)
  for (let i = 0; i < CONTAINERS; i++) {
    // Odd updates a lower battery (worse peak), even ones the same value (row refreshed only).
    const value = u % 2 === 1 ? 15 - u / 10 : 15;
    conclude(i, { kind: 'update', severity: 'warning', value, at: t0 + u * 60_000 });
    n++;
  }
for (let i = 0; i < CONTAINERS; i++) {
  conclude(i, { kind: 'clear', message: 'battery back', at: t0 + (UPDATES + 1) * 60_000 });
  n++;
}
const ms = performance.now() - started;
console.log(
  `${url === undefined ? 'sqlite' : 'postgres'}: ${n} alert changes in ${ms.toFixed(0)} ms, ` +
    `${((ms * 1000) / n).toFixed(1)} µs each (synchronous part)`,
);
const closing = performance.now();
await app.close();
console.log(`close (stores what is queued): ${(performance.now() - closing).toFixed(0)} ms`);
