import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ShipmentReferences } from '#src/contracts/shipment-references.port.js';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { DomainEvents } from '#src/common/events/domain-events.js';
import { afterKey, toPage, type Page } from '#src/common/http/pagination.js';
import { patchOf } from '#src/common/http/patch.js';
import { isDuplicateKey, isForeignKeyViolation } from '#src/storage/store-errors.js';
import { assertIfMatch, versioned, type Versioned } from '#src/common/http/versioning.js';
import { PRODUCT_PROFILES, findProductProfile } from './product-profiles.js';
import type { CreateProfileDto, TemperatureBandDto, UpdateProfileDto } from './profiles.dto.js';
import { ProfilesRepository, type StoredProfile } from './profiles.repository.js';

/**
 * How often, ms, a node sharing PostgreSQL with others reads every profile again: a planner's
 * change made through another node reaches this node's rules within this time.
 */
export const PROFILES_REFRESH_MS = 10_000;

/**
 * Product profiles: the ATP seed (read-only) and planners' own, derived from a seeded one. Every
 * profile is also kept in memory (loaded at start, replaced after each write here, and on
 * PostgreSQL read again every {@link PROFILES_REFRESH_MS}), so the rules of a reading's shipment
 * and the shipments' reference checks never wait on the store. REST reads ask the store.
 */
@Injectable()
export class ProfilesService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ProfilesService.name);
  private byId = new Map<string, StoredProfile>();
  /** Counts this node's changes of memory: a refresh that read the store before one is dropped. */
  private writes = 0;
  private refresh: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: ProfilesRepository,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    private readonly shipments: ShipmentReferences,
  ) {}

  async onModuleInit(): Promise<void> {
    // Providers of a module start side by side: the table must exist before it is written.
    await this.repository.migrated();
    await this.repository.seed(Object.values(PRODUCT_PROFILES), this.clock.now());
    this.byId = new Map((await this.repository.all()).map((p) => [p.id, p]));
    if (this.repository.shared) {
      this.refresh = setInterval(() => {
        this.reload().catch((err: unknown) => this.logger.warn({ err }, 'Profiles not read again'));
      }, PROFILES_REFRESH_MS);
      this.refresh.unref();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.refresh);
  }

  async create(dto: CreateProfileDto): Promise<Versioned<StoredProfile>> {
    if (findProductProfile(dto.id)) throw readOnly(dto.id);
    const base = findProductProfile(dto.basedOn ?? 'ambient')!;
    checkBand(dto.temperature);
    const { basedOn: _basedOn, ...fields } = patchOf(dto);
    const profile: StoredProfile = {
      ...base,
      description: '',
      ...fields,
      id: dto.id,
      name: dto.name,
      seeded: false,
    };
    this.writes++;
    try {
      await this.repository.insert(profile, this.clock.now());
    } catch (err) {
      if (isDuplicateKey(err))
        throw new DomainError('conflict', 'profiles.exists', `profile ${dto.id} already exists`);
      throw err;
    }
    return versioned(await this.remember(dto.id));
  }

  async list(query: { cursor?: string; limit: number }): Promise<Page<StoredProfile>> {
    const rows = await this.repository.list(afterKey(query), query.limit + 1);
    return toPage(
      rows,
      query.limit,
      (p) => p.id,
      (p) => p,
    );
  }

  /** The stored profile (another node may have changed it since this node's memory was read). */
  async get(id: string): Promise<Versioned<StoredProfile>> {
    const profile = await this.repository.find(id);
    if (!profile) throw notFound(id);
    return versioned(profile);
  }

  async update(
    id: string,
    dto: UpdateProfileDto,
    ifMatch: string | undefined,
  ): Promise<Versioned<StoredProfile>> {
    const current = await this.get(id);
    if (current.value.seeded) throw readOnly(id);
    assertIfMatch(ifMatch, current.etag);
    if (dto.temperature) checkBand(dto.temperature);
    this.writes++;
    await this.repository.update({ ...current.value, ...patchOf(dto, ['description']) }, this.clock.now());
    const stored = await this.remember(id);
    this.events.emit('profile.changed', { profileId: id });
    return versioned(stored);
  }

  async delete(id: string, ifMatch: string | undefined): Promise<void> {
    if ((await this.get(id)).value.seeded) throw readOnly(id);
    const shipments = await this.shipments.count('profile', id);
    assertIfMatch(ifMatch, (await this.get(id)).etag);
    if (shipments > 0)
      throw new DomainError(
        'conflict',
        'profiles.in-use',
        `profile ${id} is used by ${shipments} shipment(s)`,
      );
    this.writes++;
    try {
      // The foreign key (both stores) refuses a shipment written since the count.
      await this.repository.delete(id);
    } catch (err) {
      if (isForeignKeyViolation(err))
        throw new DomainError('conflict', 'profiles.in-use', `profile ${id} is used by shipments`);
      throw err;
    }
    this.byId.delete(id);
  }

  /** The profile from memory (the reading path's rules, the shipments' checks): never a query. */
  require(id: string): StoredProfile {
    const profile = this.byId.get(id);
    if (!profile) throw notFound(id);
    return profile;
  }

  /**
   * Whether the profile exists: from memory, else from the store (created through another node
   * since this node last read them all), which then keeps it in memory for the rules. For REST
   * writes naming a profile, never on the reading path.
   */
  async exists(id: string): Promise<boolean> {
    if (this.byId.has(id)) return true;
    this.writes++;
    const stored = await this.repository.find(id);
    if (stored) this.byId.set(id, stored);
    return stored !== undefined;
  }

  /** Reads a profile this node just wrote back into memory, as stored. */
  private async remember(id: string): Promise<StoredProfile> {
    const stored = await this.repository.find(id);
    if (!stored) throw notFound(id);
    this.byId.set(id, stored);
    return stored;
  }

  /** Reads every profile again and says which changed (through another node). */
  private async reload(): Promise<void> {
    const writesBefore = this.writes;
    const fresh = new Map((await this.repository.all()).map((p) => [p.id, p]));
    // A write of this node landed meanwhile: memory is newer than what was read; next time.
    if (this.writes !== writesBefore) return;
    const changed = [...new Set([...this.byId.keys(), ...fresh.keys()])].filter(
      (id) => JSON.stringify(this.byId.get(id)) !== JSON.stringify(fresh.get(id)),
    );
    this.byId = fresh;
    for (const profileId of changed) this.events.emit('profile.changed', { profileId });
  }
}

function notFound(id: string): DomainError {
  return new DomainError('not-found', 'profiles.not-found', `profile ${id} does not exist`);
}

function readOnly(id: string): DomainError {
  return new DomainError(
    'conflict',
    'profiles.read-only',
    `profile ${id} is a seeded ATP profile and cannot be changed: create your own based on it`,
  );
}

function checkBand(band: TemperatureBandDto): void {
  const errors: string[] = [];
  if (band.minC === undefined && band.maxC === undefined) errors.push('temperature needs minC or maxC');
  if (band.minC !== undefined && band.maxC !== undefined && !(band.minC < band.maxC))
    errors.push('temperature.minC must be below temperature.maxC');
  if (errors.length > 0) throw new DomainError('invalid', 'profiles.bad-band', errors.join('; '), { errors });
}
