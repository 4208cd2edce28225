import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';

const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('convoi-sim CLI', () => {
  it('exits 2 with a clear message on bad arguments', async () => {
    const cases: [string[], RegExp][] = [
      [['run', '--scenario', 'no-such-scenario'], /unknown scenario "no-such-scenario"/],
      [['run', '--scenario', 'normal-day', '--speedup', 'fast'], /"fast" is not a positive number/],
      [['run', '--scenario', 'normal-day', '--duration', '3 weeks'], /not a duration/],
      [['run', '--scenario', 'normal-day', '--format', 'xml'], /"xml" is not a format/],
      [['run'], /required option '--scenario/],
      [['send', '--device', 'bad/id', '--temperature', '3'], /not a device id/],
      [['send', '--device', 'd1', '--temperature', '300'], /between -50 and 85/],
      [['send', '--device', 'd1'], /at least one of/],
      [['send', '--device', 'd1', '--lat', '45'], /--lat and --lon go together/],
      [['provision', '--api', 'ftp://x', '--key', 'k'], /not an http\(s\) URL/],
      [['replay', '/nonexistent/file.csv'], /cannot read/],
      [['frobnicate'], /unknown command/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(...args)));
    cases.forEach(([args, message], i) => {
      assert.equal(results[i].code, 2, `${args.join(' ')}: ${results[i].stderr}`);
      assert.match(results[i].stderr, message, args.join(' '));
    });
  });

  it('exits 0 on --help for every command', async () => {
    for (const command of ['run', 'send', 'replay', 'scenarios', 'provision']) {
      const r = await cli(command, '--help');
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`Usage: convoi-sim ${command}`));
    }
  });

  it('exits 1 when the broker is unreachable', async () => {
    const r = await cli('send', '--device', 'd1', '--temperature', '3', '--broker', 'mqtt://127.0.0.1:1');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot connect to mqtt:\/\/127\.0\.0\.1:1/);
  });

  it('lists the scenarios', async () => {
    const r = await cli('scenarios');
    assert.equal(r.code, 0);
    for (const name of [
      'normal-day',
      'cold-chain-break',
      'rough-handling',
      'detour-and-dwell',
      'sensor-offline',
      'lora-chaos',
      'late-delivery',
      'load',
    ]) {
      assert.match(r.stdout, new RegExp(`^${name} +\\S`, 'm'));
    }
  });

  describe('against a real broker', () => {
    let broker: Aedes;
    let server: Server;
    let url: string;
    const received: { topic: string; payload: Buffer }[] = [];

    before(async () => {
      broker = await Aedes.createBroker();
      broker.on('publish', (packet, client) => {
        if (client) received.push({ topic: packet.topic, payload: Buffer.from(packet.payload) });
      });
      server = createServer(broker.handle);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    after(async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('send publishes one native reading', async () => {
      received.length = 0;
      const r = await cli(
        'send',
        '--device',
        'tech-probe-1',
        '--temperature',
        '3.2',
        '--humidity',
        '81',
        '--broker',
        url,
      );
      assert.equal(r.code, 0, r.stderr);
      const telemetry = received.filter((m) => m.topic === 'v1/devices/tech-probe-1/telemetry');
      assert.equal(telemetry.length, 1);
      const body = JSON.parse(telemetry[0].payload.toString());
      assert.equal(body.temperature, 3.2);
      assert.equal(body.humidity, 81);
    });

    it('send publishes a ChirpStack uplink', async () => {
      received.length = 0;
      const r = await cli(
        'send',
        '--device',
        'tech-probe-2',
        '--temperature',
        '-19.5',
        '--format',
        'chirpstack',
        '--broker',
        url,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(received.filter((m) => m.topic.endsWith('/event/up')).length, 1);
    });

    it('replay publishes a recorded CSV in time order', async () => {
      received.length = 0;
      const dir = mkdtempSync(join(tmpdir(), 'convoi-sim-'));
      const file = join(dir, 'recorded.csv');
      writeFileSync(
        file,
        'deviceId,ts,temperature,humidity\n' +
          'probe-b,2026-03-02T06:00:02Z,4.1,80\n' +
          'probe-a,2026-03-02T06:00:00Z,3.9,81\n' +
          'probe-a,2026-03-02T06:00:04Z,,82\n',
      );
      try {
        const r = await cli('replay', file, '--speedup', '100', '--broker', url);
        assert.equal(r.code, 0, r.stderr);
        const bodies = received
          .filter((m) => m.topic.endsWith('/telemetry'))
          .map((m) => JSON.parse(m.payload.toString()));
        assert.deepEqual(bodies, [
          { ts: '2026-03-02T06:00:00.000Z', temperature: 3.9, humidity: 81 },
          { ts: '2026-03-02T06:00:02.000Z', temperature: 4.1, humidity: 80 },
          { ts: '2026-03-02T06:00:04.000Z', humidity: 82 },
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('run normal-day for 30 s at 1000× publishes every generated reading', async () => {
      received.length = 0;
      const args = [
        'run',
        '--scenario',
        'normal-day',
        '--duration',
        '30s',
        '--speedup',
        '1000',
        '--start',
        '2026-03-02T06:00:00Z',
        '--seed',
        't',
      ];
      const dry = await cli(...args, '--dry-run');
      const expected = dry.stdout.trim().split('\n').length;
      assert.ok(expected >= 10, `${expected} messages generated`);
      const r = await cli(...args, '--broker', url);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`done: ${expected} messages sent`));
      assert.equal(received.filter((m) => m.topic.endsWith('/telemetry')).length, expected);
      // Per-device connections announce each device online (retained status).
      assert.ok(received.some((m) => m.topic.endsWith('/status')));
    });
  });
});
