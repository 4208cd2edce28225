import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';

/** Debian's docker-compose 1.29: validates docker-compose.yml without a Docker engine. */
export const COMPOSE_BIN = '/usr/bin/docker-compose';

/**
 * docker-compose.yml as written: anchors and merge keys (`<<`, which js-yaml 5 leaves out of its
 * default schema) resolved as Compose resolves them, `${…}` not.
 */
export const compose = load(readFileSync('docker-compose.yml', 'utf8'), {
  schema: CORE_SCHEMA.withTags(mergeTag),
}) as any;

/** The secrets docker-compose.yml refuses to run without, set to test values. */
export const COMPOSE_SECRETS =
  'INFLUX_ADMIN_PASSWORD=test-password\nINFLUX_ADMIN_TOKEN=test-token\nGRAFANA_ADMIN_PASSWORD=test\n' +
  'POSTGRES_PASSWORD=test-pg-password\nNATS_PASSWORD=test-nats-password\n';

/** Why a compose test cannot run here (the binary is missing), or false. CI fails instead. */
export function composeSkipReason(): string | false {
  try {
    accessSync(COMPOSE_BIN, constants.X_OK);
    return false;
  } catch {
    if (process.env.CI === 'true') return false; // CI: run, and fail on the missing binary
    const reason = `${COMPOSE_BIN} not found: docker-compose validation SKIPPED (apt-get install docker-compose; CI fails instead)`;
    process.stderr.write(`\n${'!'.repeat(reason.length)}\n${reason}\n${'!'.repeat(reason.length)}\n\n`);
    return reason;
  }
}

/**
 * `docker-compose config` with `envText` as the env file (and `profiles` enabled): its status,
 * and the resolved file unless `quiet`.
 */
export function composeConfig(
  envText: string,
  quiet = true,
  profiles: readonly string[] = [],
): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'convoi-compose-'));
  try {
    writeFileSync(join(dir, 'env'), envText);
    const r = spawnSync(
      COMPOSE_BIN,
      [
        '--env-file',
        join(dir, 'env'),
        '-f',
        'docker-compose.yml',
        ...profiles.flatMap((p) => ['--profile', p]),
        'config',
        ...(quiet ? ['-q'] : []),
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
      },
    );
    assert.equal(r.error, undefined, String(r.error));
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The names of a service's environment variables, whichever form the file uses. */
export function envNames(service: any): string[] {
  const env = service.environment ?? {};
  return Array.isArray(env) ? env.map((e: string) => e.split('=')[0]) : Object.keys(env);
}
