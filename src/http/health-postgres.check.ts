import type { OperationalDatabase } from '#src/storage/operational-database.js';
import type { CheckStatus } from './health.service.js';

/**
 * Longest the PostgreSQL check waits for its answer, ms. A server that holds connections open but
 * does not answer (frozen, or the network dropping packets) is down: the probe says so in time
 * rather than hanging until Kubernetes' own probe timeout.
 */
export const POSTGRES_CHECK_TIMEOUT_MS = 2_000;

/**
 * The operational store's check when it is PostgreSQL (`DATABASE_URL`): a trivial query answered
 * within {@link POSTGRES_CHECK_TIMEOUT_MS}. Absent on SQLite, whose file the `sqlite` check covers.
 */
export async function postgresCheck(
  store: OperationalDatabase,
): Promise<{ status: CheckStatus; detail?: string } | undefined> {
  if (store.dialect !== 'postgres') return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), POSTGRES_CHECK_TIMEOUT_MS);
  });
  try {
    // isHealthy never rejects: the query left behind settles on its own.
    const answer = await Promise.race([store.isHealthy(), late]);
    if (answer === 'late')
      return { status: 'down', detail: `no answer within ${POSTGRES_CHECK_TIMEOUT_MS / 1000} s` };
    return answer ? { status: 'up' } : { status: 'down', detail: 'no answer' };
  } finally {
    clearTimeout(timer);
  }
}
