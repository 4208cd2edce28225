import type { ProvisionRequest } from './provision.bodies.js';

export interface ProvisionOutcome {
  created: number;
  existing: number;
  failed: { what: string; id: string; status: number; detail: string }[];
}

/**
 * Sends each request with the API key. Idempotent: 409 means the thing is already registered,
 * and a request with `doneWhen` is skipped when the API already shows it done.
 * Stops at the first network error (the API is not there); HTTP errors are collected.
 */
export async function provision(
  apiUrl: string,
  apiKey: string,
  requests: readonly ProvisionRequest[],
  onEach?: (done: number) => void,
): Promise<ProvisionOutcome> {
  const outcome: ProvisionOutcome = { created: 0, existing: 0, failed: [] };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  let done = 0;
  for (const r of requests) {
    if (r.doneWhen && (await alreadyDone(apiUrl, headers, r.doneWhen))) {
      outcome.existing++;
    } else {
      const response = await fetch(`${apiUrl}${r.path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(r.body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      if (response.status === 409) outcome.existing++;
      else if (response.ok) outcome.created++;
      else
        outcome.failed.push({ what: r.what, id: r.id, status: response.status, detail: text.slice(0, 300) });
    }
    onEach?.(++done);
  }
  return outcome;
}

async function alreadyDone(
  apiUrl: string,
  headers: Record<string, string>,
  check: NonNullable<ProvisionRequest['doneWhen']>,
): Promise<boolean> {
  const response = await fetch(`${apiUrl}${check.path}`, { headers, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) return false;
  const body = (await response.json()) as Record<string, unknown>;
  return body[check.field] === check.equals;
}
