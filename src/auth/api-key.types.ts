/** Roles, weakest first: each role may do everything the roles before it may. */
export const ROLES = ['viewer', 'planner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `held` is at least `required`. */
export function roleAllows(held: Role, required: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(required);
}

/** An API key as stored and listed: never the key itself, only its first characters as a hint. */
export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  /** The first characters of the key, to recognise it in a list (`cv_AbC…`). */
  hint: string;
  createdAt: string;
  /** Name of the key that created this one (`config` / `first-start` for the bootstrap key). */
  createdBy: string;
  revokedAt?: string;
}

/** Who is calling: attached to the request by the guard, read by handlers as the actor. */
export interface ApiPrincipal {
  keyId: string;
  /** The key's name: the actor recorded in audit trails (ARCHITECTURE.md §10: never a person's data). */
  name: string;
  role: Role;
}
