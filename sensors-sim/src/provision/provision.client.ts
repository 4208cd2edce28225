import type { ProvisionRequest } from './provision.bodies.js';

export interface ProvisionOutcome {
  created: number;
  existing: number;
  failed: { path: string; id: string; status: number; detail: string }[];
}

/**
 * POSTs each request with the API key. Idempotent: 409 means the thing is already registered.
 * Stops at the first network error (the API is not there); HTTP errors are collected.
 */
export async function provision(
  apiUrl: string,
  apiKey: string,
  requests: readonly ProvisionRequest[],
  onEach?: (done: number) => void,
): Promise<ProvisionOutcome> {
  const outcome: ProvisionOutcome = { created: 0, existing: 0, failed: [] };
  let done = 0;
  for (const r of requests) {
    const response = await fetch(`${apiUrl}${r.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(r.body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (response.status === 409) outcome.existing++;
    else if (response.ok) outcome.created++;
    else outcome.failed.push({ path: r.path, id: r.id, status: response.status, detail: text.slice(0, 300) });
    onEach?.(++done);
  }
  return outcome;
}
