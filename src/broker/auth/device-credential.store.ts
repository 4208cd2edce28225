import { Injectable, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { isValidId } from '#src/contracts/identifiers.js';
import { CompiledSqliteStatement } from '#src/storage/compiled-sqlite.statement.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { StoreNotifications } from '#src/storage/store-notifications.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { isDuplicateKey } from '#src/storage/store-errors.js';
import { BROKER_AUTH_MIGRATIONS, BROKER_AUTH_SCOPE } from './broker-auth.migrations.js';
import { CredentialChanges, type CredentialChangeListener } from './credential-changes.js';
import { principalOf, type CredentialRow, type CredentialTables } from './credential.tables.js';
import { INTEGRATION_TOPIC_ROOTS, type IntegrationKind, type Principal } from './principal.js';
import {
  generateSecret,
  hashSecret,
  isScryptHash,
  matchesScryptSecret,
  matchesSecret,
} from './secret-hash.js';
import { isValidTopicRoot } from './topic-acl.js';
import {
  VerifiedCredentialCache,
  type CachedAnswer,
  type StoredCredential,
} from './verified-credential.cache.js';

export type { CredentialChangeListener };

/** Usernames no stored credential may take (the in-memory platform credential uses it). */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set(['convoi-platform', 'anonymous']);

type CredentialTable = 'device' | 'integration';

/** Each credential table and its username column. */
const CREDENTIAL_TABLES = {
  device: { name: 'device_credentials', key: 'device_id' },
  integration: { name: 'integration_credentials', key: 'name' },
} as const;

/**
 * MQTT credentials of devices and integrations in the operational store (SQLite or PostgreSQL,
 * scope `broker-auth`): hashes only (`secret-hash.ts`), the secret is returned once by
 * `issue`/`rotate` and never stored or logged. Devices and integrations share one username
 * namespace. `verify` answers an unknown username and a wrong secret after the same work (one
 * lookup in both tables, one digest compared).
 *
 * What the store answered is kept in memory, and forgotten when a row changes on any node
 * ({@link CredentialChanges}: on PostgreSQL by LISTEN/NOTIFY).
 */
@Injectable()
export class DeviceCredentialStore implements OnModuleInit, OnApplicationShutdown {
  /** A hash no secret matches, compared against for unknown usernames (equal timing). */
  private readonly decoyHash = hashSecret(generateSecret());
  private readonly db: Kysely<CredentialTables>;
  private readonly changes: CredentialChanges;
  private readonly cache: VerifiedCredentialCache;
  /** SQLite: the lookup, compiled once and run synchronously (a CONNECT storm pays no query building). */
  private findNow?: CompiledSqliteStatement<{ username: string }>;

  /** A session of its own when none was given (a store built by hand), closed with this store. */
  private readonly ownNotifications?: StoreNotifications;

  constructor(
    private readonly store: OperationalDatabase,
    private readonly sqlite: SqliteDatabase,
    private readonly clock: Clock,
    @Optional() notifications?: StoreNotifications,
  ) {
    this.db = store.db.withTables<CredentialTables>();
    if (notifications === undefined) this.ownNotifications = notifications = new StoreNotifications(store);
    this.changes = new CredentialChanges(notifications);
    this.cache = this.changes.cache;
  }

  async onModuleInit(): Promise<void> {
    await this.store.migrate(BROKER_AUTH_SCOPE, BROKER_AUTH_MIGRATIONS);
    if (this.store.dialect === 'sqlite') {
      this.findNow = new CompiledSqliteStatement(this.sqlite.connection, ['username'], (p) =>
        this.findQuery(p.username),
      );
    }
    await this.changes.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.ownNotifications?.onApplicationShutdown();
  }

  /** Creates the credential of a device; returns its secret, to show once. */
  async issue(deviceId: string): Promise<string> {
    await this.assertFreeUsername(deviceId, 'device');
    const secret = generateSecret();
    const result = await this.db
      .insertInto('device_credentials')
      .values({ device_id: deviceId, secret_hash: hashSecret(secret), created_at: this.clock.now() })
      // A revoked device's row is issued anew; a live one is left alone (and this is a conflict).
      .onConflict((oc) =>
        oc
          .column('device_id')
          .doUpdateSet((eb) => ({
            secret_hash: eb.ref('excluded.secret_hash'),
            created_at: eb.ref('excluded.created_at'),
            rotated_at: null,
            revoked_at: null,
          }))
          .where('device_credentials.revoked_at', 'is not', null),
      )
      .executeTakeFirst();
    if (result.numInsertedOrUpdatedRows === 0n) throw exists();
    this.changes.changedHere(deviceId);
    return secret;
  }

  /** Replaces a device's secret; the old one stops working and its live session is closed. */
  async rotate(deviceId: string): Promise<string> {
    const secret = generateSecret();
    const result = await this.db
      .updateTable('device_credentials')
      .set({ secret_hash: hashSecret(secret), rotated_at: this.clock.now() })
      .where('device_id', '=', deviceId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw notFound(deviceId);
    this.changes.changedHere(deviceId, 'rotated');
    return secret;
  }

  /** Revokes a device's credential and closes its live session. */
  revoke(deviceId: string): Promise<void> {
    return this.revokeRow('device', deviceId);
  }

  /** Creates an integration credential (ChirpStack, TTS, operator, platform); returns its secret once. */
  async issueIntegration(name: string, kind: IntegrationKind, topicRoot?: string): Promise<string> {
    await this.assertFreeUsername(name, 'integration');
    const root = kind === 'chirpstack' || kind === 'tts' ? (topicRoot ?? INTEGRATION_TOPIC_ROOTS[kind]) : '';
    if ((kind === 'chirpstack' || kind === 'tts') && !isValidTopicRoot(root, INTEGRATION_TOPIC_ROOTS[kind])) {
      throw new DomainError(
        'invalid',
        'broker.topic-root-invalid',
        `Topic root must lie under ${INTEGRATION_TOPIC_ROOTS[kind]}`,
      );
    }
    const secret = generateSecret();
    try {
      await this.db
        .insertInto('integration_credentials')
        .values({
          name,
          secret_hash: hashSecret(secret),
          kind,
          topic_root: root,
          created_at: this.clock.now(),
        })
        .execute();
    } catch (error) {
      // Created through another node since the check above.
      if (isDuplicateKey(error)) throw exists();
      throw error;
    }
    this.changes.changedHere(name);
    return secret;
  }

  revokeIntegration(name: string): Promise<void> {
    return this.revokeRow('integration', name);
  }

  /** The principal a username/secret pair authenticates as, or undefined. Never throws on input. */
  async verify(username: string, password: Buffer): Promise<Principal | undefined> {
    const found = await this.lookup(username);
    if (found === null) {
      matchesSecret(password, this.decoyHash);
      return undefined;
    }
    if (!isScryptHash(found.hash)) return matchesSecret(password, found.hash) ? found.principal : undefined;
    if (!(await matchesScryptSecret(password, found.hash))) return undefined;
    // Revoked or rotated while scrypt ran: the answer must follow the newest state.
    if ((await this.find(username))?.hash !== found.hash) return undefined;
    await this.replaceScryptHash(found.principal, found.hash, password);
    return found.principal;
  }

  /** Called with the username whenever a credential is revoked or rotated (on any node). */
  onChange(listener: CredentialChangeListener): void {
    this.changes.onChange(listener);
  }

  /** From memory when it has the answer; from the store (then kept) otherwise. */
  private async lookup(username: string): Promise<CachedAnswer> {
    const cached = this.cache.get(username);
    if (cached !== undefined) return cached;
    const generation = this.cache.generation;
    const found = (await this.find(username)) ?? null;
    // A scrypt hash is replaced at its first match: not worth keeping.
    if (found === null || !isScryptHash(found.hash)) this.cache.keep(username, found, generation);
    return found;
  }

  private async find(username: string): Promise<StoredCredential | undefined> {
    const row =
      this.findNow !== undefined
        ? this.findNow.get<CredentialRow>({ username })
        : await this.findQuery(username).executeTakeFirst();
    if (row === undefined || row.revoked_at !== null) return undefined;
    return { hash: row.secret_hash, principal: principalOf(username, row) };
  }

  /** The username's row in either table: both, always, so an unknown username costs the same lookups. */
  private findQuery(username: string) {
    return this.db
      .selectFrom('device_credentials')
      .select([
        sql<CredentialRow['kind']>`'device'`.as('kind'),
        'secret_hash',
        'revoked_at',
        sql<string>`''`.as('topic_root'),
      ])
      .where('device_id', '=', username)
      .unionAll((db) =>
        db
          .selectFrom('integration_credentials')
          .select(['kind', 'secret_hash', 'revoked_at', 'topic_root'])
          .where('name', '=', username),
      );
  }

  /**
   * A secret that just matched its scrypt hash (issued by an older convoi) gets the `sha256$`
   * form, so its next connect, and the whole fleet's after a restart, costs no scrypt run.
   */
  private async replaceScryptHash(principal: Principal, scryptHash: string, secret: Buffer): Promise<void> {
    await this.rowOf(principal.kind === 'device' ? 'device' : 'integration', principal.name)
      .set({ secret_hash: hashSecret(secret) })
      .where('secret_hash', '=', scryptHash)
      .execute();
    this.changes.changedHere(principal.name);
  }

  private async revokeRow(table: CredentialTable, username: string): Promise<void> {
    const result = await this.rowOf(table, username)
      .set({ revoked_at: this.clock.now() })
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw notFound(username);
    this.changes.changedHere(username, 'revoked');
  }

  /** An update of `username`'s row in the devices' or the integrations' table. */
  private rowOf(table: CredentialTable, username: string) {
    const { name, key } = CREDENTIAL_TABLES[table];
    return this.db.updateTable(name).where(sql.ref(key), '=', username);
  }

  private async assertFreeUsername(username: string, table: CredentialTable): Promise<void> {
    if (!isValidId(username) || RESERVED_USERNAMES.has(username)) {
      throw new DomainError('invalid', 'broker.username-invalid', 'Not a valid device or integration id');
    }
    const [device, integration] = await Promise.all([
      this.db
        .selectFrom('device_credentials')
        .select('revoked_at')
        .where('device_id', '=', username)
        .executeTakeFirst(),
      this.db
        .selectFrom('integration_credentials')
        .select('name')
        .where('name', '=', username)
        .executeTakeFirst(),
    ]);
    // A revoked device may be issued again; a name an integration holds, never.
    const deviceHolds = device !== undefined && (table === 'integration' || device.revoked_at === null);
    if (deviceHolds || integration !== undefined) throw exists();
  }
}

function exists(): DomainError {
  return new DomainError(
    'conflict',
    'broker.credential-exists',
    'A credential with this name exists; rotate it',
  );
}

function notFound(username: string): DomainError {
  return new DomainError('not-found', 'broker.credential-not-found', `No active credential for ${username}`);
}
