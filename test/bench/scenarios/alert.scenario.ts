import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchTempDir } from '../support/fleet-template.js';

const ALERT_BENCH = fileURLToPath(new URL('../alert-latency.js', import.meta.url));

export interface AlertResult {
  skipped?: string;
  rate?: number;
  p50?: number;
  p99?: number;
  max?: number;
  samples?: number;
  missing?: number;
  meetsGoal?: boolean;
}

/**
 * Publish → alert latency at 1,000 readings/s: test/bench/alert-latency.ts (its own platform and
 * devices process), run as a child and read from the JSON it writes.
 */
export async function alertLatency(seconds: number, rate = 1000): Promise<AlertResult> {
  const out = join(benchTempDir('alert'), 'alert-latency.json');
  let log = '';
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--enable-source-maps',
        ALERT_BENCH,
        '--rate',
        String(rate),
        '--seconds',
        String(seconds),
        '--out',
        out,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC' } },
    );
    child.stdout.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    child.stderr.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 120) * 1000);
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  if (code !== 0) return { skipped: `alert-latency.ts failed (${code}): ${log.slice(-500)}` };
  const r = JSON.parse(readFileSync(out, 'utf8')) as {
    latencyMs: { p50: number; p99: number; max: number; samples: number };
    crossingsWithoutEvent: number;
    meetsGoal: boolean;
  };
  return {
    rate,
    p50: r.latencyMs.p50,
    p99: r.latencyMs.p99,
    max: r.latencyMs.max,
    samples: r.latencyMs.samples,
    missing: r.crossingsWithoutEvent,
    meetsGoal: r.meetsGoal,
  };
}
