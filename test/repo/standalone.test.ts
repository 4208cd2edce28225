import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, repoFiles } from '#test/support/repo-files.js';

/**
 * A clone of convoi stands alone: no file reaches outside the checkout for code, fixtures or docs,
 * and every relative link of the docs leads to a file (and heading) that exists.
 */

/** Ways a file could reach the folder beside the checkout: a path, a path.join, a doc link. */
const OUTSIDE = [
  /\.\.[/\\]+shared\b/,
  /['"`]\.\.['"`]\s*,\s*['"`]shared['"`]/,
  /\bshared[/\\](?:DESIGN|STYLE|HOSTILE-INPUTS)\.md|\bshared[/\\]fixtures\b/,
];

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

/** Markdown without fenced code blocks and inline code, where brackets are not links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The broken relative links of one markdown file, as `target: why`. */
function brokenLinks(file: string): string[] {
  const problems: string[] = [];
  for (const [, target] of prose(read(file)).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [path, anchor] = target.split('#', 2);
    const resolved = path === '' ? file : normalize(join(dirname(file), decodeURIComponent(path)));
    if (resolved.startsWith('..')) {
      problems.push(`${target}: outside the repository`);
      continue;
    }
    const full = join(REPO_ROOT, resolved);
    if (!existsSync(full)) {
      problems.push(`${target}: no such file`);
      continue;
    }
    if (anchor && statSync(full).isFile() && resolved.endsWith('.md') && !anchors(read(resolved)).has(anchor))
      problems.push(`${target}: no heading #${anchor} in ${resolved}`);
  }
  return problems;
}

describe('the repository stands alone', () => {
  const files = repoFiles();

  it('lists the checkout’s files (the checks below have something to check)', () => {
    for (const f of ['package.json', 'README.md', 'docs/ARCHITECTURE.md', 'test/fixtures/lorawan/README.md'])
      assert.ok(files.includes(f), `${f} is not in the checkout`);
  });

  it('no file refers to the folder beside the checkout', () => {
    const offenders = files.flatMap((file) => {
      const text = read(file);
      if (text.includes('\0')) return [];
      return text
        .split('\n')
        .flatMap((line, i) =>
          OUTSIDE.some((re) => re.test(line)) ? [`${file}:${i + 1}: ${line.trim()}`] : [],
        );
    });
    assert.deepEqual(offenders, []);
  });

  it('the pattern catches each way of reaching outside', () => {
    // Built from parts, so that this file does not match its own patterns.
    const dotdot = '..';
    const path = (...parts: string[]) => parts.join('/');
    const design = ['DESIGN', 'md'].join('.');
    for (const line of [
      `[design](${path(dotdot, 'shared', design)})`,
      `join(process.cwd(), '${dotdot}', 'shared', 'fixtures')`,
      `samples in ${path(dotdot, 'shared', 'fixtures').replaceAll('/', '\\')}`,
      `see ${path('shared', design)}`,
    ])
      assert.ok(
        OUTSIDE.some((re) => re.test(line)),
        line,
      );
    assert.ok(!OUTSIDE.some((re) => re.test('a shared connection, the shared kernel')));
  });

  it('every relative link of the docs leads to a file and heading that exist', () => {
    const docs = files.filter((f) => f.endsWith('.md'));
    for (const required of ['README.md', 'docs/ARCHITECTURE.md', 'sensors-sim/README.md'])
      assert.ok(docs.includes(required), required);
    const broken = docs.flatMap((file) => brokenLinks(file).map((p) => `${file}: ${p}`));
    assert.deepEqual(broken, []);
  });

  it('every document cited by its file name, or as a catalogue (`HOSTILE-INPUTS B10`), is in the repository', () => {
    const names = new Set(files.map((f) => f.split('/').at(-1)));
    const missing = files.flatMap((file) => {
      const text = read(file);
      if (text.includes('\0')) return [];
      return [...text.matchAll(/\b([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)(?:\.md\b|(?<=-[A-Z0-9]+)(?= [A-Z]\d))/g)]
        .map(([, name]) => `${name}.md`)
        .filter((doc) => !names.has(doc))
        .map((doc) => `${file}: ${doc}`);
    });
    assert.deepEqual([...new Set(missing)], []);
  });

  it('README links the architecture document', () => {
    assert.match(read('README.md'), /\]\(docs\/ARCHITECTURE\.md\)/);
  });

  it('each fixture says where it came from', () => {
    const fixtureDirs = new Set(files.filter((f) => f.startsWith('test/fixtures/')).map((f) => dirname(f)));
    assert.ok(fixtureDirs.size > 0, 'no fixtures');
    for (const dir of fixtureDirs) {
      const readme = join(dir, 'README.md');
      assert.ok(files.includes(readme), `${dir} has no README.md saying where its files came from`);
      const text = read(readme);
      for (const name of readdirSync(join(REPO_ROOT, dir)).filter((n) => n !== 'README.md'))
        assert.ok(text.includes(`\`${name}\``), `${readme} does not say where ${name} came from`);
    }
  });
});
