import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { configKeys } from '#src/app-settings.js';
import { REPO_ROOT, repoFiles } from '#test/support/repo-files.js';

/**
 * docs/ARCHITECTURE.md stays true to the code in what a machine can check: every source path,
 * setting and metric it names exists. (What it says about them is for reviewers.)
 */
const DOC = 'docs/ARCHITECTURE.md';
const spans = [...readFileSync(join(REPO_ROOT, DOC), 'utf8').matchAll(/`([^`\n]+)`/g)].map(([, s]) => s);

/** `broker/inbox/`, `src/main.ts`, `scripts/demo.mjs`, `inbox-owner.lock.ts`: not URLs, topics or packages. */
const looksLikePath = (s: string) =>
  /^[a-z.][\w.-]*(\/[\w.-]+)*\/?$/.test(s) &&
  (s.includes('/') || /\.(ts|mjs|md|json)$/.test(s)) &&
  !s.startsWith('./');

describe(DOC, () => {
  const files = repoFiles();
  const sources = files.filter((f) => f.startsWith('src/') && f.endsWith('.ts'));
  const sourceText = sources.map((f) => readFileSync(join(REPO_ROOT, f), 'utf8')).join('\n');

  it('names only source paths that exist (from the root or from src/)', () => {
    const paths = spans.filter(looksLikePath);
    assert.ok(paths.length > 30, `only ${paths.length} paths found: is the pattern still right?`);
    const names = new Set(files.map((f) => basename(f)));
    const missing = paths.filter((p) => {
      if (!p.includes('/')) return !names.has(p);
      return ![p, join('src', p)].some((candidate) => existsSync(join(REPO_ROOT, candidate)));
    });
    assert.deepEqual(missing, []);
  });

  it('names only settings convoi reads, or constants the code exports', () => {
    const keys = new Set(configKeys());
    const named = spans.filter((s) => /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(s));
    assert.ok(named.length > 5);
    const unknown = named.filter((n) => !keys.has(n) && !new RegExp(`export const ${n}\\b`).test(sourceText));
    assert.deepEqual(unknown, []);
  });

  it('names only metrics the code registers', () => {
    const metrics = spans.flatMap((s) => s.match(/\bconvoi_[a-z_]+/g) ?? []);
    assert.ok(metrics.length > 0);
    assert.deepEqual(
      metrics.filter((m) => !sourceText.includes(`'${m}'`)),
      [],
    );
  });
});
