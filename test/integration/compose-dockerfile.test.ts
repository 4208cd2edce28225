import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startNodeFlags } from '#test/support/start-command.js';

/**
 * A small Dockerfile linter for the mistakes that matter to convoi's image, run on the real
 * Dockerfile and, to prove each rule bites, on Dockerfiles that make each mistake.
 */
interface Instruction {
  op: string;
  args: string;
}

interface Stage {
  from: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (op === undefined) continue;
    if (op.toUpperCase() === 'FROM') stages.push({ from: args.split(/\s+/)[0], instructions: [] });
    else stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

/** The problems of a Dockerfile, one line each; empty when it is fine. */
function lintDockerfile(text: string): string[] {
  const stages = parseDockerfile(text);
  const problems: string[] = [];
  if (stages.length < 2) problems.push('not multi-stage: build tools would ship in the runtime image');
  for (const { from } of stages) {
    const tag = from.includes('@sha256:') ? 'digest' : from.split(':')[1];
    if (tag === undefined || tag === 'latest' || !/\d+\.\d+/.test(tag))
      problems.push(`unpinned base image ${from}: pin at least major.minor (or a digest)`);
  }
  const runtime = stages.at(-1);
  if (!runtime) return ['no FROM'];
  const all = stages.flatMap((s) => s.instructions);
  const user = runtime.instructions.filter((i) => i.op === 'USER').at(-1);
  if (!user || /^(root|0)(:|$)/.test(user.args.trim())) problems.push('runs as root: add USER node');
  if (!runtime.instructions.some((i) => i.op === 'RUN' && /\bnpm ci\b[^&;]*--omit=dev/.test(i.args)))
    problems.push('runtime stage lacks `npm ci --omit=dev`');
  if (all.some((i) => i.op === 'RUN' && /\bnpm install\b/.test(i.args)))
    problems.push('npm install instead of npm ci');
  for (const i of all) {
    if ((i.op === 'COPY' || i.op === 'ADD') && !/--from=/.test(i.args)) {
      const sources = i.args
        .split(/\s+/)
        .filter((a) => !a.startsWith('--'))
        .slice(0, -1);
      if (sources.some((s) => s === '.' || /(^|\/)node_modules\/?$/.test(s)))
        problems.push(
          `${i.op} ${i.args}: copies the host's tree or node_modules (native modules of another platform)`,
        );
    }
  }
  const health = runtime.instructions.find((i) => i.op === 'HEALTHCHECK');
  if (!health || !/\/health\b/.test(health.args)) problems.push('no HEALTHCHECK on /health');
  if (!runtime.instructions.some((i) => i.op === 'CMD' && i.args.trim().startsWith('[')))
    problems.push('CMD not in exec form: signals would not reach node (no graceful shutdown)');
  return problems;
}

const GOOD = `FROM node:20.19-bookworm AS build
RUN npm ci && npm run build
FROM node:20.19-bookworm-slim
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY --from=build /app/dist ./dist
USER node
HEALTHCHECK CMD node -e "fetch('http://127.0.0.1:3000/health')"
CMD ["node", "dist/src/main.js"]
`;

describe('Dockerfile', () => {
  it('has none of the usual mistakes', () => {
    assert.deepEqual(lintDockerfile(readFileSync('Dockerfile', 'utf8')), []);
  });

  it('keeps host dependencies, builds and secrets out of the build context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', 'data', '.env', '.git'])
      assert.ok(ignored.includes(entry), entry);
  });

  it('builds from the lock file and ships the compiled app with its example fleet', () => {
    const text = readFileSync('Dockerfile', 'utf8');
    assert.match(text, /COPY package\.json package-lock\.json/);
    assert.match(text, /RUN npm run build/);
    assert.match(text, /COPY --from=build \/app\/dist \.\/dist/);
    assert.match(text, /COPY config \.\/config/);
    assert.match(text, /dist\/src\/main\.js/);
    // The runtime's Node matches the build's, so better-sqlite3's native module loads.
    const froms = parseDockerfile(text).map((s) => s.from.split(':')[1].split('-')[0]);
    assert.equal(new Set(froms).size, 1, froms.join(' vs '));
  });

  it('runs node with the same flags as `npm start`', () => {
    const cmd = parseDockerfile(readFileSync('Dockerfile', 'utf8'))
      .at(-1)!
      .instructions.filter((i) => i.op === 'CMD')
      .at(-1)!;
    const args = JSON.parse(cmd.args) as string[];
    assert.deepEqual(args, ['node', ...startNodeFlags(), 'dist/src/main.js']);
  });

  describe('linter', () => {
    it('passes a good Dockerfile', () => assert.deepEqual(lintDockerfile(GOOD), []));
    const mistakes: [string, string, RegExp][] = [
      ['root user', GOOD.replace('USER node\n', ''), /runs as root/],
      ['explicit root', GOOD.replace('USER node', 'USER root'), /runs as root/],
      ['dev dependencies', GOOD.replace('npm ci --omit=dev', 'npm ci'), /--omit=dev/],
      [
        'host node_modules',
        GOOD.replace('USER node', 'COPY node_modules ./node_modules\nUSER node'),
        /node_modules/,
      ],
      ['whole host tree', GOOD.replace('USER node', 'COPY . .\nUSER node'), /host's tree/],
      ['no healthcheck', GOOD.replace(/HEALTHCHECK.*\n/, ''), /HEALTHCHECK/],
      ['latest image', GOOD.replace('node:20.19-bookworm-slim', 'node:latest'), /unpinned/],
      ['untagged image', GOOD.replace('node:20.19-bookworm-slim', 'node'), /unpinned/],
      ['major-only tag', GOOD.replace('node:20.19-bookworm-slim', 'node:20-slim'), /unpinned/],
      ['single stage', GOOD.split('\n').slice(2).join('\n'), /multi-stage/],
      [
        'npm install',
        GOOD.replace('npm ci --omit=dev', 'npm install --omit=dev && npm ci --omit=dev'),
        /npm install/,
      ],
      [
        'shell-form CMD',
        GOOD.replace('CMD ["node", "dist/src/main.js"]', 'CMD node dist/src/main.js'),
        /exec form/,
      ],
    ];
    for (const [name, text, expected] of mistakes) {
      it(`flags ${name}`, () => assert.match(lintDockerfile(text).join('\n'), expected));
    }
  });
});
