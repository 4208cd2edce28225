import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { AuthConfig } from './auth.config.js';
import { afterKey, toPage, type Page } from '#src/common/http/pagination.js';
import { ApiKeyRepository } from './api-key.repository.js';
import { generateApiKey, hashApiKey, keyHint } from './api-key.secret.js';
import type { ApiKey, ApiPrincipal, Role } from './api-key.types.js';

/** Id of the key that `CONVOI_ADMIN_KEY` configures. */
export const CONFIGURED_ADMIN_KEY_ID = 'k-configured-admin';

/** A key just created: the only time the key itself is returned. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

/** API keys: creation (the key shown once), listing, revocation, and request authentication. */
@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiKeys');

  constructor(
    private readonly repository: ApiKeyRepository,
    private readonly config: AuthConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * The first admin key: `CONVOI_ADMIN_KEY` (stored hashed, never logged) wins; otherwise, when no
   * admin key exists yet, one is generated and written to the log this once — the only time any
   * key is logged, so an operator can get in on a fresh install.
   */
  async onApplicationBootstrap(): Promise<void> {
    const configured = this.config.CONVOI_ADMIN_KEY;
    if (configured !== undefined) {
      const hash = hashApiKey(configured);
      if (!(await this.repository.find(CONFIGURED_ADMIN_KEY_ID))) {
        await this.repository.insert(
          {
            id: CONFIGURED_ADMIN_KEY_ID,
            name: 'admin (CONVOI_ADMIN_KEY)',
            role: 'admin',
            keyHash: hash,
            hint: keyHint(configured),
            createdBy: 'config',
          },
          this.clock.now(),
        );
      } else {
        await this.repository.replaceHash(CONFIGURED_ADMIN_KEY_ID, hash, keyHint(configured));
      }
      return;
    }
    if ((await this.repository.countActiveAdmins()) > 0) return;
    const created = await this.insert('first admin', 'admin', 'first-start');
    this.logger.warn(
      `No admin API key existed: generated one, shown only now. Keep it safe: ${created.key} ` +
        '(or set CONVOI_ADMIN_KEY)',
    );
  }

  create(name: string, role: Role, actor: string): Promise<CreatedApiKey> {
    return this.insert(name, role, actor);
  }

  async list(cursor: string | undefined, limit: number): Promise<Page<ApiKey>> {
    const rows = await this.repository.list(afterKey({ cursor }), limit + 1);
    return toPage(
      rows,
      limit,
      (k) => k.id,
      (k) => k,
    );
  }

  async get(id: string): Promise<ApiKey> {
    const key = await this.repository.find(id);
    if (!key) throw new DomainError('not-found', 'auth.key-not-found', `API key ${id} does not exist`);
    return key;
  }

  /** Revokes the key: its very next request is refused (the write empties the principal cache). */
  async revoke(id: string): Promise<void> {
    const key = await this.get(id);
    if (key.revokedAt !== undefined) return;
    await this.repository.revoke(id, this.clock.now());
  }

  /**
   * The principal of a presented key, or undefined for an unknown or revoked one. Known keys are
   * answered from memory (see ApiKeyRepository), so the per-request check rarely waits on the store.
   */
  authenticate(presented: string): Promise<ApiPrincipal | undefined> {
    return this.repository.principalByHash(hashApiKey(presented));
  }

  private async insert(name: string, role: Role, createdBy: string): Promise<CreatedApiKey> {
    const key = generateApiKey();
    const stored = await this.repository.insert(
      {
        id: `k-${randomBytes(8).toString('hex')}`,
        name,
        role,
        keyHash: hashApiKey(key),
        hint: keyHint(key),
        createdBy,
      },
      this.clock.now(),
    );
    return { ...stored, key };
  }
}
