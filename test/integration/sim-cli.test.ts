import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

/** The compiled CLI, which `npx convoi-sim` and `npm run sim` run (scripts/convoi-sim.mjs builds it first). */
const CLI = resolve('dist/sensors-sim/src/cli.js');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function convoiSim(...args: string[]): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('convoi-sim send, replay and provision against the real platform', () => {
  let app: TestApp;
  let dir: string;
  /** The live value of one measurement of a container, as planners read it over REST. */
  const live = async (containerId: string, key: string) => {
    const { status, body } = await app.request(`/api/v1/containers/${containerId}`);
    assert.equal(status, 200);
    return body.live?.values?.[key] as { value: number; measuredAt: number } | undefined;
  };

  before(async () => {
    // The example fleet (config/fleet.example.json) registers and binds the devices used here.
    app = await startTestApp();
    dir = mkdtempSync(join(tmpdir(), 'convoi-sim-cli-'));
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('send: one native JSON reading reaches the container’s live state', async () => {
    const r = await convoiSim(
      'send',
      ...[
        '--broker',
        app.mqttUrl,
        '--device',
        'sensor-reefer-001',
        '--temperature',
        '3.2',
        '--humidity',
        '81',
      ],
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sent to v1\/devices\/sensor-reefer-001\/telemetry/);
    const t = await waitFor('temperature of REEFER-001', () => live('REEFER-001', 'temperatureC'));
    assert.equal(t.value, 3.2);
    assert.equal((await live('REEFER-001', 'humidityPct'))?.value, 81);
  });

  for (const [format, device, devEui, container] of [
    ['chirpstack', 'lora-rc-000101', '70b3d57ed0000101', 'RC-000101'],
    ['tts', 'lora-rc-000102', '70b3d57ed0000102', 'RC-000102'],
  ] as const) {
    it(`send --format ${format}: a Cayenne LPP uplink reaches the container’s live state`, async () => {
      const r = await convoiSim(
        'send',
        ...['--broker', app.mqttUrl, '--format', format, '--device', device, '--dev-eui', devEui],
        ...['--temperature', '-1.5', '--fcnt', '7'],
      );
      assert.equal(r.code, 0, r.stderr);
      const t = await waitFor(`temperature of ${container}`, () => live(container, 'temperatureC'));
      assert.equal(t.value, -1.5);
    });
  }

  it('replay: a recorded CSV reaches the platform, newest reading last', async () => {
    // After the example fleet's binding (at start-up), within the 5 min future tolerance.
    const t0 = Date.now();
    const file = join(dir, 'recorded.csv');
    const rows = [0, 1, 2].map(
      (i) => `sensor-reefer-002,${new Date(t0 + i * 60_000).toISOString()},${4 + i}`,
    );
    writeFileSync(file, ['deviceId,ts,temperature', ...rows].join('\n'));
    const r = await convoiSim('replay', file, '--broker', app.mqttUrl, '--speedup', '1000');
    assert.equal(r.code, 0, r.stderr);
    const t = await waitFor('replayed readings', async () => {
      const latest = await live('REEFER-002', 'temperatureC');
      return latest?.measuredAt === t0 + 120_000 && latest;
    });
    assert.equal(t.value, 6);
  });

  it('replay: a JSON Lines file with --shift-to-now lands at the present', async () => {
    const file = join(dir, 'recorded.jsonl');
    writeFileSync(file, `{"deviceId":"sensor-pal-7001","ts":"2025-01-01T00:00:00Z","temperature":-21.5}\n`);
    const before = Date.now();
    const r = await convoiSim('replay', file, '--broker', app.mqttUrl, '--shift-to-now');
    assert.equal(r.code, 0, r.stderr);
    const t = await waitFor('shifted reading', () => live('PAL-7001', 'temperatureC'));
    assert.equal(t.value, -21.5);
    assert.ok(t.measuredAt >= before - 1000, 'measured now, not in 2025');
  });

  it('provision: registers a scenario’s world, idempotently', async () => {
    const args = ['provision', '--api', app.httpUrl, '--key', app.adminKey, '--scenario', 'cold-chain-break'];
    const start = ['--start', '2026-06-16T03:00:00Z', '--seed', 'cli-test'];
    const first = await convoiSim(...args, ...start);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /provisioned \d+ items: \d+ created, 0 already there, 0 failed/);
    const again = await convoiSim(...args, ...start);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /provisioned \d+ items: 0 created, \d+ already there, 0 failed/);
    const shipments = await app.request('/api/v1/shipments?limit=500');
    const sim = shipments.body.items.filter((s: { carrier?: string }) => s.carrier === 'convoi-sim');
    assert.equal(sim.length, 6, 'one shipment per container');
    assert.ok(sim.every((s: { profileId: string }) => s.profileId === 'chilled-4'));
  });

  it('fails with a clear message and a meaningful exit code', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'deviceId,ts,temperature\nsensor-reefer-001,yesterday,3\n');
    const cases: [string[], number, RegExp][] = [
      [['provision', '--api', app.httpUrl, '--key', 'cv_wrong', '--scenario', 'normal-day'], 1, /HTTP 401/],
      [['provision', '--api', 'http://127.0.0.1:9', '--key', 'k'], 1, /cannot reach http:\/\/127\.0\.0\.1:9/],
      [
        ['send', '--broker', 'mqtt://127.0.0.1:9', '--device', 'd1', '--temperature', '3'],
        1,
        /cannot connect/,
      ],
      [['send', '--broker', app.mqttUrl, '--device', 'd1', '--temperature', 'warm'], 2, /temperature/],
      [['replay', bad, '--broker', app.mqttUrl], 2, /line 2: ts missing or not a time/],
      [['replay', join(dir, 'readings.txt'), '--broker', app.mqttUrl], 2, /use a \.csv or \.jsonl file/],
    ];
    for (const [args, code, message] of cases) {
      const r = await convoiSim(...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
  });
});
