/** A mistake in the command line or its inputs: printed as is, exit code 2. */
export class UsageError extends Error {}

/** Exit codes of convoi-sim. */
export const EXIT = { ok: 0, runtime: 1, usage: 2 } as const;
