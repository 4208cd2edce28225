import type { IntegrationKind, Principal } from './principal.js';

/**
 * The credential tables as Kysely sees them (broker-auth.migrations.ts creates them). Times in
 * epoch ms; `secret_hash` is `sha256$…` (or `scrypt$…` from older releases), never the secret.
 */
export type CredentialTables = {
  device_credentials: {
    device_id: string;
    secret_hash: string;
    created_at: number;
    rotated_at: number | null;
    revoked_at: number | null;
  };
  integration_credentials: {
    name: string;
    secret_hash: string;
    kind: IntegrationKind;
    topic_root: string;
    created_at: number;
    rotated_at: number | null;
    revoked_at: number | null;
  };
};

/** One credential row, from either table (`kind` is 'device' for the devices' table). */
export interface CredentialRow {
  kind: 'device' | IntegrationKind;
  secret_hash: string;
  revoked_at: number | null;
  topic_root: string;
}

/** Who a row authenticates as. */
export function principalOf(username: string, row: CredentialRow): Principal {
  return row.kind === 'chirpstack' || row.kind === 'tts'
    ? { kind: row.kind, name: username, topicRoot: row.topic_root }
    : { kind: row.kind, name: username };
}
