import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

/** The repository root: tests run from it (scripts/test.mjs, `npm test`). */
export const REPO_ROOT = resolve('.');

/** Folders that are never the repository's own content (.gitignore's, and git's). */
const NOT_SOURCE = new Set(['.git', 'node_modules', 'dist', 'data', 'coverage']);

/**
 * The files of the checkout, relative to its root: what git tracks or would track (untracked but
 * not ignored), or, in a copy without `.git`, every file outside the ignored folders.
 */
export function repoFiles(root = REPO_ROOT): string[] {
  if (existsSync(join(root, '.git'))) {
    const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
      cwd: root,
      encoding: 'utf8',
    });
    return [...new Set(listed.split('\0'))].filter((f) => f !== '' && existsSync(join(root, f))).sort();
  }
  return walk(root, root).sort();
}

function walk(root: string, dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (NOT_SOURCE.has(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return walk(root, path);
    return e.isFile() ? [relative(root, path)] : [];
  });
}

/**
 * A copy of the checkout's files (no dist/, no data/) in a fresh temporary folder that holds
 * nothing else, with node_modules linked to this checkout's: a new clone after `npm install`.
 */
export function copyCheckout(prefix: string): { dir: string; parent: string } {
  const parent = mkdtempSync(join(tmpdir(), prefix));
  const dir = join(parent, 'convoi');
  for (const file of repoFiles()) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(dir, file));
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, parent };
}
