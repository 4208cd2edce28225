import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { isValidId } from '#src/contracts/identifiers.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { BROKER_AUTH_MIGRATIONS, BROKER_AUTH_SCOPE } from './broker-auth.migrations.js';
import { INTEGRATION_TOPIC_ROOTS, type IntegrationKind, type Principal } from './principal.js';
import {
  generateSecret,
  hashSecret,
  isScryptHash,
  matchesScryptSecret,
  matchesSecret,
} from './secret-hash.js';
import { isValidTopicRoot } from './topic-acl.js';

/** Usernames no stored credential may take (the in-memory platform credential uses it). */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set(['convoi-platform', 'anonymous']);

/** One credential row, from either table (`kind` is 'device' for the devices' table). */
interface CredentialRow {
  kind: 'device' | IntegrationKind;
  secret_hash: string;
  revoked_at: number | null;
  topic_root: string;
}

/** Why a live session must end: its credential was revoked or rotated. */
export type CredentialChangeListener = (username: string, change: 'revoked' | 'rotated') => void;

/**
 * MQTT credentials of devices and integrations in SQLite (scope `broker-auth`): hashes only
 * (`secret-hash.ts`), the secret is returned once by `issue`/`rotate` and never stored or logged.
 * Devices and integrations share one username namespace. `verify` answers an unknown username and
 * a wrong secret after the same work (one lookup in both tables, one digest compared), so neither
 * time nor answer tells them apart.
 */
@Injectable()
export class DeviceCredentialStore implements OnModuleInit {
  private readonly listeners: CredentialChangeListener[] = [];
  /** A hash no secret matches, compared against for unknown usernames (equal timing). */
  private readonly decoyHash = hashSecret(generateSecret());
  private findRow!: Statement<[string, string], CredentialRow>;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.db.migrate(BROKER_AUTH_SCOPE, BROKER_AUTH_MIGRATIONS);
    // Both tables, always: an unknown username costs the same lookups as a known one.
    this.findRow = this.db.connection.prepare(
      `SELECT 'device' AS kind, secret_hash, revoked_at, '' AS topic_root
         FROM device_credentials WHERE device_id = ?
       UNION ALL
       SELECT kind, secret_hash, revoked_at, topic_root FROM integration_credentials WHERE name = ?`,
    );
  }

  /** Creates the credential of a device; returns its secret, to show once. */
  issue(deviceId: string): string {
    this.assertFreeUsername(deviceId, 'device');
    const secret = generateSecret();
    const hash = hashSecret(secret);
    this.db.connection
      .prepare(
        `INSERT INTO device_credentials (device_id, secret_hash, created_at) VALUES (?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET secret_hash = excluded.secret_hash,
           created_at = excluded.created_at, rotated_at = NULL, revoked_at = NULL
         WHERE device_credentials.revoked_at IS NOT NULL`,
      )
      .run(deviceId, hash, this.clock.now());
    return secret;
  }

  /** Replaces a device's secret; the old one stops working and its live session is closed. */
  rotate(deviceId: string): string {
    const secret = generateSecret();
    const hash = hashSecret(secret);
    const result = this.db.connection
      .prepare(
        'UPDATE device_credentials SET secret_hash = ?, rotated_at = ? WHERE device_id = ? AND revoked_at IS NULL',
      )
      .run(hash, this.clock.now(), deviceId);
    if (result.changes === 0) throw notFound(deviceId);
    this.changed(deviceId, 'rotated');
    return secret;
  }

  /** Revokes a device's credential and closes its live session. */
  revoke(deviceId: string): void {
    const result = this.db.connection
      .prepare('UPDATE device_credentials SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL')
      .run(this.clock.now(), deviceId);
    if (result.changes === 0) throw notFound(deviceId);
    this.changed(deviceId, 'revoked');
  }

  /** Creates an integration credential (ChirpStack, TTS, operator, platform); returns its secret once. */
  issueIntegration(name: string, kind: IntegrationKind, topicRoot?: string): string {
    this.assertFreeUsername(name, 'integration');
    const root = kind === 'chirpstack' || kind === 'tts' ? (topicRoot ?? INTEGRATION_TOPIC_ROOTS[kind]) : '';
    if ((kind === 'chirpstack' || kind === 'tts') && !isValidTopicRoot(root, INTEGRATION_TOPIC_ROOTS[kind])) {
      throw new DomainError(
        'invalid',
        'broker.topic-root-invalid',
        `Topic root must lie under ${INTEGRATION_TOPIC_ROOTS[kind]}`,
      );
    }
    const secret = generateSecret();
    const hash = hashSecret(secret);
    this.db.connection
      .prepare(
        `INSERT INTO integration_credentials (name, secret_hash, kind, topic_root, created_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(name, hash, kind, root, this.clock.now());
    return secret;
  }

  revokeIntegration(name: string): void {
    const result = this.db.connection
      .prepare('UPDATE integration_credentials SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL')
      .run(this.clock.now(), name);
    if (result.changes === 0) throw notFound(name);
    this.changed(name, 'revoked');
  }

  /** The principal a username/secret pair authenticates as, or undefined. Never throws on input. */
  async verify(username: string, password: Buffer): Promise<Principal | undefined> {
    const found = this.find(username);
    if (found === undefined) {
      matchesSecret(password, this.decoyHash);
      return undefined;
    }
    if (!isScryptHash(found.hash)) return matchesSecret(password, found.hash) ? found.principal : undefined;
    if (!(await matchesScryptSecret(password, found.hash))) return undefined;
    // Revoked or rotated while scrypt ran: the answer must follow the newest state.
    if (this.find(username)?.hash !== found.hash) return undefined;
    this.replaceScryptHash(found.principal, found.hash, password);
    return found.principal;
  }

  /** Called with the username whenever a credential is revoked or rotated. */
  onChange(listener: CredentialChangeListener): void {
    this.listeners.push(listener);
  }

  private find(username: string): { hash: string; principal: Principal } | undefined {
    const row = this.findRow.get(username, username);
    if (row === undefined || row.revoked_at !== null) return undefined;
    const principal: Principal =
      row.kind === 'chirpstack' || row.kind === 'tts'
        ? { kind: row.kind, name: username, topicRoot: row.topic_root }
        : { kind: row.kind, name: username };
    return { hash: row.secret_hash, principal };
  }

  /**
   * A secret that just matched its scrypt hash (issued by an older convoi) gets the `sha256$`
   * form, so its next connect, and the whole fleet's after a restart, costs no scrypt run.
   */
  private replaceScryptHash(principal: Principal, scryptHash: string, secret: Buffer): void {
    const sql =
      principal.kind === 'device'
        ? 'UPDATE device_credentials SET secret_hash = ? WHERE device_id = ? AND secret_hash = ?'
        : 'UPDATE integration_credentials SET secret_hash = ? WHERE name = ? AND secret_hash = ?';
    this.db.connection.prepare(sql).run(hashSecret(secret), principal.name, scryptHash);
  }

  private assertFreeUsername(username: string, table: 'device' | 'integration'): void {
    if (!isValidId(username) || RESERVED_USERNAMES.has(username)) {
      throw new DomainError('invalid', 'broker.username-invalid', 'Not a valid device or integration id');
    }
    const taken =
      this.db.connection
        .prepare<[string, string], { n: number }>(
          `SELECT (SELECT COUNT(*) FROM device_credentials WHERE device_id = ? ${table === 'device' ? 'AND revoked_at IS NULL' : ''})
                + (SELECT COUNT(*) FROM integration_credentials WHERE name = ?) AS n`,
        )
        .get(username, username)?.n ?? 0;
    if (taken > 0) {
      throw new DomainError(
        'conflict',
        'broker.credential-exists',
        'A credential with this name exists; rotate it',
      );
    }
  }

  private changed(username: string, change: 'revoked' | 'rotated'): void {
    for (const listener of this.listeners) listener(username, change);
  }
}

function notFound(username: string): DomainError {
  return new DomainError('not-found', 'broker.credential-not-found', `No active credential for ${username}`);
}
