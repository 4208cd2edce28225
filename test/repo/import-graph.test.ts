import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '#test/support/repo-files.js';

/**
 * scripts/import-graph.mjs, which `npm run lint` runs first: src/ is a tree of folders, and the
 * lint fails as soon as an import closes a folder cycle, a file cycle, or breaks a layering rule.
 */
const SCRIPT = join(REPO_ROOT, 'scripts/import-graph.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'convoi-import-graph-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let trees = 0;
/** Writes a src/ tree (path -> content) and runs the check on it. */
function check(tree: Record<string, string>): { status: number | null; out: string } {
  const src = join(scratch, `tree-${++trees}`, 'src');
  for (const [path, content] of Object.entries(tree)) {
    mkdirSync(dirname(join(src, path)), { recursive: true });
    writeFileSync(join(src, path), content);
  }
  const run = spawnSync(process.execPath, [SCRIPT, src], { encoding: 'utf8' });
  return { status: run.status, out: run.stdout + run.stderr };
}

/** A small tree that is fine: a root, two features, the kernel. */
const TREE = {
  'app.module.ts': "import { A } from './alpha/alpha.service.js';\nimport { H } from './http/h.js';\n",
  'http/h.ts': "import { A } from '#src/alpha/alpha.service.js';\nexport const H = A;\n",
  'alpha/alpha.service.ts': "import { B } from '#src/beta/beta.service.js';\nexport const A = B;\n",
  'beta/beta.service.ts': "import { C } from '#src/common/c.js';\nexport const B = C;\n",
  'common/c.ts': 'export const C = 1;\n',
};

describe('scripts/import-graph.mjs', () => {
  it('passes on the checkout', () => {
    const run = spawnSync(process.execPath, [SCRIPT, 'src'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /no cycle/);
  });

  it('passes on a tree', () => {
    const { status, out } = check(TREE);
    assert.equal(status, 0, out);
  });

  it('fails on a folder cycle and names the files behind each edge', () => {
    const { status, out } = check({
      ...TREE,
      // beta -> alpha closes alpha -> beta -> alpha, through a type import.
      'beta/beta.types.ts':
        "import type { A } from '../alpha/alpha.service.js';\nexport type T = typeof A;\n",
    });
    assert.equal(status, 1, out);
    assert.match(out, /folder cycle: alpha beta/);
    assert.match(
      out,
      /alpha -> beta \(src\/alpha\/alpha\.service\.ts imports src\/beta\/beta\.service\.ts\)/,
    );
    assert.match(out, /beta -> alpha \(src\/beta\/beta\.types\.ts imports src\/alpha\/alpha\.service\.ts\)/);
  });

  it('fails on a folder importing the composition root', () => {
    const { status, out } = check({ ...TREE, 'beta/boot.ts': "export { A } from '../app.module.js';\n" });
    assert.equal(status, 1, out);
    assert.match(out, /folder cycle: \. alpha beta/);
  });

  it('fails on a file cycle of value imports, not of type imports', () => {
    const values = check({
      ...TREE,
      'beta/x.ts': "import { Y } from './y.js';\nexport const X = Y;\n",
      'beta/y.ts': "import { X } from './x.js';\nexport const Y = () => X;\n",
    });
    assert.equal(values.status, 1, values.out);
    assert.match(values.out, /file cycle \(value imports\): src\/beta\/x\.ts src\/beta\/y\.ts/);

    const types = check({
      ...TREE,
      'beta/x.ts': "import type { Y } from './y.js';\nexport type X = Y;\n",
      'beta/y.ts': "import { type X } from './x.js';\nexport type Y = () => X;\n",
    });
    assert.equal(types.status, 0, types.out);
  });

  it('fails when a feature imports http/, rules import alerts, the kernel or state/ imports a feature', () => {
    const cases = [
      [
        'state/s.ts',
        "import type { B } from '#src/beta/beta.service.js';\nexport type S = B;\n",
        /forbidden: state -> beta/,
      ],
      ['alpha/uses-http.ts', "import { H } from '#src/http/h.js';\n", /forbidden: alpha -> http/],
      ['rules/r.ts', "import { A } from '#src/alerts/a.js';\n", /forbidden: rules -> alerts/],
      ['common/d.ts', "import { B } from '#src/beta/beta.service.js';\n", /forbidden: common -> beta/],
    ] as const;
    for (const [path, content, expected] of cases) {
      const { status, out } = check({ ...TREE, 'alerts/a.ts': 'export const A = 1;\n', [path]: content });
      assert.equal(status, 1, `${path}: ${out}`);
      assert.match(out, expected);
    }
  });

  it('lets state/ import the kernel, logging and storage', () => {
    const { status, out } = check({
      ...TREE,
      'storage/db.ts': "import { C } from '#src/common/c.js';\nexport const D = C;\n",
      'logging/l.ts': 'export const L = 1;\n',
      'state/s.ts':
        "import { D } from '#src/storage/db.js';\nimport { L } from '#src/logging/l.js';\nexport const S = D + L;\n",
    });
    assert.equal(status, 0, out);
  });

  it('sees dynamic imports and re-exports; leaves unit specs out', () => {
    const dynamic = check({
      ...TREE,
      'beta/lazy.ts': "export const load = () => import('#src/alpha/alpha.service.js');\n",
    });
    assert.equal(dynamic.status, 1, dynamic.out);
    const reexport = check({ ...TREE, 'beta/re.ts': "export * from '#src/alpha/alpha.service.js';\n" });
    assert.equal(reexport.status, 1, reexport.out);
    const spec = check({
      ...TREE,
      'beta/beta.service.spec.ts': "import { A } from '#src/alpha/alpha.service.js';\n",
    });
    assert.equal(spec.status, 0, spec.out);
  });
});
