import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import semver from 'semver';

/**
 * The Node versions convoi claims (package.json `engines.node`) are the ones its locked dependency
 * tree supports: npm prints EBADENGINE for any package whose own `engines.node` excludes the
 * running Node, so every locked package must accept the lowest release of each supported line.
 */
interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, LockedPackage>;
};
const claimed = new semver.Range(pkg.engines.node);

/** The lowest version of each supported line: `^20.19.0 || ^22.13.0 || >=24` gives 20.19.0, 22.13.0, 24.0.0. */
function lowestOfEachLine(range: semver.Range): string[] {
  return range.set.map((comparators) => {
    const line = comparators.map((c) => c.value).join(' ');
    const lowest = semver.minVersion(new semver.Range(line));
    assert.ok(lowest, `no version satisfies ${line}`);
    return lowest.version;
  });
}

/** The locked packages whose `engines.node` rejects `version`, as `path@version wants range`. */
function rejecting(packages: Record<string, LockedPackage>, version: string): string[] {
  return Object.entries(packages).flatMap(([path, entry]) => {
    const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    if (path === '' || wanted === undefined) return [];
    return semver.satisfies(version, wanted, { includePrerelease: true })
      ? []
      : [`${path.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${wanted}`];
  });
}

describe('supported Node versions', () => {
  const lowest = lowestOfEachLine(claimed);

  it('claims Node 20 (what CI runs), 22 and 24 lines', () => {
    assert.deepEqual(
      lowest.map((v) => semver.major(v)),
      [20, 22, 24],
    );
    assert.ok(semver.satisfies(process.version, claimed), `this Node ${process.version} is not supported`);
  });

  for (const version of [...lowest, process.version.slice(1)]) {
    it(`every locked package accepts Node ${version}`, () => {
      assert.deepEqual(rejecting(lock.packages, version), []);
    });
  }

  it('the check finds a package that wants a newer Node', () => {
    const packages = {
      '': { version: '0.1.0', engines: { node: '>=99' } },
      'node_modules/old': { version: '1.0.0', engines: ['node >= 0.4'] },
      'node_modules/fine': { version: '1.0.0', engines: { node: '^20.19.0 || >=22.12.0' } },
      'node_modules/x/node_modules/cookie': { version: '2.0.2', engines: { node: '>=22' } },
    };
    assert.deepEqual(rejecting(packages, '20.19.0'), ['cookie@2.0.2 wants node >=22']);
    assert.deepEqual(rejecting(packages, '22.13.0'), []);
  });

  it('README and Dockerfile say the same', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const v of lowest) {
      const label = semver.minor(v) === 0 ? `${semver.major(v)}` : `${semver.major(v)}.${semver.minor(v)}`;
      assert.ok(readme.includes(`${label}+`), `README does not name Node ${label}+`);
    }
    for (const [, tag] of readFileSync('Dockerfile', 'utf8').matchAll(/^FROM node:(\d+\.\d+)/gm))
      assert.ok(
        semver.satisfies(`${tag}.0`, claimed),
        `Dockerfile's node:${tag} is outside ${pkg.engines.node}`,
      );
  });
});
