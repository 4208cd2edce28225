// Compiles the checkout with tsc (incremental) when dist/ is missing or older than a source, so
// `npm run demo`, `npm run sim` and `npx convoi-sim` work right after `npm install`, and never run
// a stale build after an edit. Progress and compiler errors go to stderr: stdout stays the
// command's own (`convoi-sim run --dry-run | head`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (this file is in scripts/). */
export const root = resolve(import.meta.dirname, '..');

/**
 * Builds when needed. Returns normally when the `needed` files (paths from the root) exist
 * afterwards, even if tsc reported type errors (it still emits); exits with 1 otherwise.
 */
export function buildIfNeeded(needed, who) {
  const stamp = join(root, 'dist', '.tsbuildinfo');
  const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  const newer = (dir) =>
    readdirSync(join(root, dir), { withFileTypes: true, recursive: true }).some(
      (e) => e.isFile() && e.name.endsWith('.ts') && statSync(join(e.parentPath, e.name)).mtimeMs > builtAt,
    );
  if (builtAt > 0 && needed.every((p) => existsSync(join(root, p))) && !newer('src') && !newer('sensors-sim'))
    return;
  const tscBin = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tscBin)) {
    process.stderr.write(
      `${who}: dist/ needs a build and TypeScript is not installed: run \`npm install\`\n`,
    );
    process.exit(1);
  }
  process.stderr.write(`${who}: building (tsc)...\n`);
  const tsc = spawnSync(process.execPath, [tscBin, '-p', join(root, 'tsconfig.json')], {
    stdio: ['ignore', 2, 2],
  });
  const emitted = needed.every((p) => existsSync(join(root, p)));
  if (tsc.status !== 0 && !emitted) {
    process.stderr.write(`${who}: the build failed\n`);
    process.exit(1);
  }
  if (tsc.status !== 0) process.stderr.write(`${who}: tsc reported errors; running what was emitted\n`);
}
