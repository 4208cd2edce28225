import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { startPostgres, type PostgresServer } from './postgres.js';
import { startTestApp, type TestApp } from './test-app.js';

/**
 * `count` convoi nodes sharing one database of a real PostgreSQL, started before the suite and
 * stopped after it, with the same admin key (the keys are in the database they share). Call
 * inside a `describe`; the returned function gives the nodes.
 */
export function nodesOnPostgres(count: number): () => TestApp[] {
  let postgres: PostgresServer | undefined;
  const nodes: TestApp[] = [];
  before(async () => {
    postgres = await startPostgres();
    const url = await postgres.createDatabase();
    const env = { DATABASE_URL: url, CONVOI_ADMIN_KEY: `cv_test_${randomBytes(32).toString('base64url')}` };
    for (let i = 0; i < count; i++) nodes.push(await startTestApp({ env }));
  });
  after(async () => {
    for (const node of nodes) await node.close();
    await postgres?.stop();
  });
  return () => nodes;
}
