import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { startPostgres, type PostgresServer } from './postgres.js';
import { startTestApp, type TestApp } from './test-app.js';

/**
 * `count` test apps (nodes) on one fresh PostgreSQL database, started before the suite and closed
 * after it, with the same admin key (the keys are in the database they share) and `env`. Call
 * inside a `describe`; the array fills when the suite starts.
 */
export function nodesOnOnePostgres(count: number, env: Record<string, string> = {}): readonly TestApp[] {
  let postgres: PostgresServer | undefined;
  const nodes: TestApp[] = [];
  before(async () => {
    postgres = await startPostgres();
    const url = await postgres.createDatabase();
    const shared = {
      ...env,
      DATABASE_URL: url,
      CONVOI_ADMIN_KEY: `cv_test_${randomBytes(32).toString('base64url')}`,
    };
    for (let i = 0; i < count; i++) nodes.push(await startTestApp({ env: shared }));
  });
  after(async () => {
    for (const node of nodes) await node.close();
    await postgres?.stop();
  });
  return nodes;
}
