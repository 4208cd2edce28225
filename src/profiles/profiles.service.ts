import { Injectable, OnModuleInit } from '@nestjs/common';
import { ShipmentReferences } from '#src/contracts/shipment-references.port.js';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { DomainEvents } from '#src/common/events/domain-events.js';
import { afterKey, toPage, type Page } from '#src/common/http/pagination.js';
import { patchOf } from '#src/common/http/patch.js';
import { isConstraintError } from '#src/storage/sqlite-errors.js';
import { assertIfMatch, versioned, type Versioned } from '#src/common/http/versioning.js';
import { PRODUCT_PROFILES, findProductProfile } from './product-profiles.js';
import type { CreateProfileDto, TemperatureBandDto, UpdateProfileDto } from './profiles.dto.js';
import { ProfilesRepository, type StoredProfile } from './profiles.repository.js';

/** Product profiles: the ATP seed (read-only) and planners' own, derived from a seeded one. */
@Injectable()
export class ProfilesService implements OnModuleInit {
  constructor(
    private readonly repository: ProfilesRepository,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    private readonly shipments: ShipmentReferences,
  ) {}

  onModuleInit(): void {
    this.repository.seed(Object.values(PRODUCT_PROFILES), this.clock.now());
  }

  create(dto: CreateProfileDto): Versioned<StoredProfile> {
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
    try {
      this.repository.insert(profile, this.clock.now());
    } catch (err) {
      if (isConstraintError(err, 'PRIMARYKEY'))
        throw new DomainError('conflict', 'profiles.exists', `profile ${dto.id} already exists`);
      throw err;
    }
    return this.get(dto.id);
  }

  list(query: { cursor?: string; limit: number }): Page<StoredProfile> {
    const rows = this.repository.list(afterKey(query), query.limit + 1);
    return toPage(
      rows,
      query.limit,
      (p) => p.id,
      (p) => p,
    );
  }

  get(id: string): Versioned<StoredProfile> {
    return versioned(this.require(id));
  }

  update(id: string, dto: UpdateProfileDto, ifMatch: string | undefined): Versioned<StoredProfile> {
    const current = this.get(id);
    if (current.value.seeded) throw readOnly(id);
    assertIfMatch(ifMatch, current.etag);
    if (dto.temperature) checkBand(dto.temperature);
    this.repository.update({ ...current.value, ...patchOf(dto, ['description']) }, this.clock.now());
    this.events.emit('profile.changed', { profileId: id });
    return this.get(id);
  }

  async delete(id: string, ifMatch: string | undefined): Promise<void> {
    if (this.get(id).value.seeded) throw readOnly(id);
    // Asked first: between the answer and the delete nothing else waits, so the tag checked is current.
    const shipments = await this.shipments.count('profile', id);
    assertIfMatch(ifMatch, this.get(id).etag);
    if (shipments > 0)
      throw new DomainError(
        'conflict',
        'profiles.in-use',
        `profile ${id} is used by ${shipments} shipment(s)`,
      );
    try {
      this.repository.delete(id);
    } catch (err) {
      if (isConstraintError(err, 'FOREIGNKEY'))
        throw new DomainError('conflict', 'profiles.in-use', `profile ${id} is used by shipments`);
      throw err;
    }
  }

  require(id: string): StoredProfile {
    const profile = this.repository.find(id);
    if (!profile) throw new DomainError('not-found', 'profiles.not-found', `profile ${id} does not exist`);
    return profile;
  }
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
