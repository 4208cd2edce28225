import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DESTINATION_SITE, ORIGIN_SITE, containerId, writeSeedFile } from './bench-fleet.js';
import { PlatformProcess } from './platform-process.js';

const EXAMPLE_SEED = fileURLToPath(new URL('../../../../config/fleet.example.json', import.meta.url));

/** Temp folders the bench made; removed at exit whatever happens. */
const made: string[] = [];
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export function benchTempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `convoi-bench-${label}-`));
  made.push(dir);
  return dir;
}

/**
 * A data dir holding the bench fleet (the example sites, `containers` containers with one device
 * each, and `shipments` of them on a chilled-4 shipment so their readings go through a full
 * profile rule set), built once through the real platform: seed import at start, shipments over
 * REST. Each scenario starts from a copy, so none inherits another's readings or state.
 */
export async function buildFleetTemplate(
  containers: number,
  shipments: number,
  keepIn?: string,
): Promise<{ dir: string; seconds: number; reused: boolean }> {
  const started = performance.now();
  if (keepIn !== undefined && existsSync(join(keepIn, 'convoi.sqlite')))
    return { dir: keepIn, seconds: 0, reused: true };
  const dir = keepIn ?? benchTempDir('template');
  mkdirSync(dir, { recursive: true });
  const seedFile = join(dir, 'bench-fleet.json');
  const sites = (JSON.parse(readFileSync(EXAMPLE_SEED, 'utf8')) as { sites: unknown[] }).sites;
  writeSeedFile(seedFile, containers, sites);
  const platform = new PlatformProcess({ dataDir: dir, env: { FLEET_SEED_FILE: seedFile } });
  try {
    await platform.start(300_000);
    const now = Date.now();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < shipments; i = next++) {
        const res = await platform.request('/api/v1/shipments', {
          method: 'POST',
          body: JSON.stringify({
            containerId: containerId(i),
            originSiteId: ORIGIN_SITE,
            destinationSiteId: DESTINATION_SITE,
            profileId: 'chilled-4',
            plannedDeparture: new Date(now).toISOString(),
            plannedArrival: new Date(now + 8 * 3_600_000).toISOString(),
          }),
        });
        if (res.status !== 201) throw new Error(`shipment ${i}: ${res.status} ${await res.text()}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  } finally {
    await platform.stop();
  }
  rmSync(seedFile);
  return { dir, seconds: Math.round((performance.now() - started) / 1000), reused: false };
}

/** A fresh data dir with a copy of the template's database (and of the other files named). */
export function cloneTemplate(
  template: string,
  label: string,
  files: readonly string[] = ['convoi.sqlite'],
): string {
  const dir = benchTempDir(label);
  for (const name of files)
    for (const suffix of ['', '-wal', '-shm']) {
      const file = join(template, `${name}${suffix}`);
      if (existsSync(file)) copyFileSync(file, join(dir, `${name}${suffix}`));
    }
  return dir;
}
