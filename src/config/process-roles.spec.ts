import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from './config.error.js';
import { loadConfig } from '../app-settings.js';
import { ProcessRoles } from './process-roles.js';

const PG = 'postgres://convoi@127.0.0.1:5432/convoi';
const NATS = 'nats://127.0.0.1:4222';

function rolesOf(env: Record<string, string>): ProcessRoles {
  return ProcessRoles.of(loadConfig(env));
}

describe(ProcessRoles.name, () => {
  it('is one node with every role by default: the inbox, no shared log', () => {
    const roles = rolesOf({});
    assert.equal(roles.toString(), 'edge,processor,api');
    assert.equal(roles.clustered, false);
    assert.equal(roles.inbox, true);
    assert.equal(roles.logEdge, false);
    assert.equal(roles.logProcessor, false);
  });

  it('takes a split with DATABASE_URL and NATS_URL, spaces allowed', () => {
    const roles = rolesOf({ CONVOI_ROLES: ' processor , api', DATABASE_URL: PG, NATS_URL: NATS });
    assert.equal(roles.has('edge'), false);
    assert.equal(roles.logProcessor, true);
    assert.equal(roles.inbox, false);
    assert.equal(roles.toString(), 'processor,api');
  });

  it('refuses an unknown role at validation, naming the variable', () => {
    assert.throws(() => loadConfig({ CONVOI_ROLES: 'edge,worker' }), /CONVOI_ROLES must be a comma list/);
  });

  it('refuses a role listed twice', () => {
    assert.throws(
      () => rolesOf({ CONVOI_ROLES: 'edge,edge', DATABASE_URL: PG, NATS_URL: NATS }),
      (err: unknown) => err instanceof ConfigError && /listed twice/.test(err.message),
    );
  });

  it('refuses a split without NATS_URL and DATABASE_URL, naming both', () => {
    assert.throws(
      () => rolesOf({ CONVOI_ROLES: 'api' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.length === 2 &&
        /needs NATS_URL/.test(err.message) &&
        /needs DATABASE_URL/.test(err.message),
    );
  });

  it('refuses NATS_URL without DATABASE_URL even with every role (the leases live there)', () => {
    assert.throws(() => rolesOf({ NATS_URL: NATS }), /with NATS_URL: cluster mode needs DATABASE_URL/);
  });

  it('runs every role on the shared log with NATS_URL and DATABASE_URL', () => {
    const roles = rolesOf({ NATS_URL: NATS, DATABASE_URL: PG });
    assert.equal(roles.logEdge && roles.logProcessor && roles.has('api'), true);
  });

  it('refuses a cluster edge without the embedded broker', () => {
    assert.throws(
      () => rolesOf({ CONVOI_ROLES: 'edge', DATABASE_URL: PG, NATS_URL: NATS, BROKER_EMBEDDED: 'false' }),
      /BROKER_EMBEDDED=false: a cluster edge is the embedded broker/,
    );
    assert.equal(
      rolesOf({ CONVOI_ROLES: 'processor', DATABASE_URL: PG, NATS_URL: NATS, BROKER_EMBEDDED: 'false' })
        .logProcessor,
      true,
    );
  });
});
