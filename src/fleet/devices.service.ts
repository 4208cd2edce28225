import { Injectable } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { READING_BOUNDS } from '#src/contracts/reading.js';
import { decideBind } from './binding-history.policy.js';
import { ContainersService } from './containers.service.js';
import { DeviceDirectory } from './device-directory.service.js';
import { DevicesRepository } from './devices.repository.js';
import type { BindDeviceDto, CreateDeviceDto, UnbindDeviceDto, UpdateDeviceDto } from './dto/device.dto.js';
import { FleetChanges } from './fleet-changes.service.js';
import { FleetRepository } from './fleet.repository.js';
import type { Device, DeviceBinding } from './fleet.types.js';
import { afterKey, toPage, type Page } from '#src/common/http/pagination.js';
import { patchOf } from '#src/common/http/patch.js';
import { isDuplicateKey, isForeignKeyViolation, isUniqueViolation } from '#src/storage/store-errors.js';
import { assertIfMatch, versioned, type Versioned } from '#src/common/http/versioning.js';

/** A device as planners read it: with the container it is on now. */
export interface DeviceView extends Device {
  containerId?: string;
}

/**
 * Devices and their bindings. Every change refreshes the device in the {@link DeviceDirectory}, so
 * the very next reading is attributed by the new history; bindings are history, extended forward,
 * except that the newest binding may start earlier (binding-history.policy.ts).
 */
@Injectable()
export class DevicesService {
  constructor(
    private readonly repository: DevicesRepository,
    private readonly fleet: FleetRepository,
    private readonly directory: DeviceDirectory,
    private readonly containers: ContainersService,
    private readonly clock: Clock,
    private readonly fleetChanges: FleetChanges,
  ) {}

  async create(dto: CreateDeviceDto): Promise<Versioned<DeviceView>> {
    try {
      await this.repository.insert({ ...dto }, this.clock.now());
    } catch (err) {
      // PostgreSQL reports a taken id and a taken DevEUI by one code (23505): the id is looked up.
      if (isDuplicateKey(err) && (await this.repository.find(dto.id)) !== undefined)
        throw deviceExists(dto.id);
      if (isDuplicateKey(err))
        throw new DomainError(
          'conflict',
          'fleet.dev-eui-taken',
          `devEui ${dto.devEui} belongs to another device`,
        );
      throw err;
    }
    await this.refreshed(dto.id);
    return await this.get(dto.id);
  }

  async list(query: { cursor?: string; limit: number }): Promise<Page<DeviceView>> {
    const rows = await this.repository.list(afterKey(query), query.limit + 1);
    return toPage(
      rows,
      query.limit,
      (d) => d.id,
      (d) => this.view(d),
    );
  }

  async get(id: string): Promise<Versioned<DeviceView>> {
    const device = await this.require(id);
    return versioned(this.view(device), device);
  }

  async update(
    id: string,
    dto: UpdateDeviceDto,
    ifMatch: string | undefined,
  ): Promise<Versioned<DeviceView>> {
    const current = await this.require(id);
    assertIfMatch(ifMatch, versioned(current).etag);
    try {
      await this.repository.update(
        { ...current, ...patchOf(dto, ['devEui', 'model', 'channelMap', 'lorawanApplication']) },
        this.clock.now(),
      );
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError(
          'conflict',
          'fleet.dev-eui-taken',
          `devEui ${dto.devEui} belongs to another device`,
        );
      throw err;
    }
    await this.refreshed(id);
    return await this.get(id);
  }

  async delete(id: string, ifMatch: string | undefined): Promise<void> {
    const current = await this.require(id);
    assertIfMatch(ifMatch, versioned(current).etag);
    if (await this.fleet.openBinding(id)) {
      throw new DomainError(
        'conflict',
        'fleet.device-bound',
        `device ${id} is on a container: unbind it first`,
      );
    }
    await this.repository.delete(id);
    await this.refreshed(id);
  }

  async bind(id: string, dto: BindDeviceDto): Promise<DeviceBinding> {
    await this.require(id);
    try {
      await this.containers.require(dto.containerId);
    } catch {
      throw unknownContainer(dto.containerId);
    }
    const at = this.notInFuture(dto.at);
    const decision = decideBind(await this.fleet.bindingsOfDevices([id]), dto.containerId, at);
    switch (decision.kind) {
      case 'already-bound':
        throw new DomainError(
          'conflict',
          'fleet.already-bound',
          `device ${id} is already on container ${dto.containerId} from then on`,
        );
      case 'overlaps':
        throw new DomainError('conflict', 'fleet.binding-before-history', decision.detail);
      case 'extend':
        await this.repository.extendNewest(id, at);
        break;
      case 'append':
        try {
          await this.fleet.bindDevice(id, dto.containerId, at);
        } catch (err) {
          // The container (or device) was deleted between the check and the write.
          if (isForeignKeyViolation(err)) throw unknownContainer(dto.containerId);
          throw err;
        }
    }
    await this.refreshed(id);
    return (await this.fleet.openBinding(id))!;
  }

  async unbind(id: string, dto: UnbindDeviceDto): Promise<DeviceBinding> {
    await this.require(id);
    const open = await this.fleet.openBinding(id);
    if (!open) throw new DomainError('conflict', 'fleet.not-bound', `device ${id} is on no container`);
    const at = await this.changeTime(id, dto.at);
    await this.repository.unbind(id, at);
    await this.refreshed(id);
    return { ...open, unboundAt: at };
  }

  async bindings(id: string, query: { cursor?: string; limit: number }): Promise<Page<DeviceBinding>> {
    await this.require(id);
    const after = afterKey(query);
    const seq = after === undefined ? 0 : Number(after);
    if (!Number.isSafeInteger(seq))
      throw new DomainError('invalid', 'common.bad-cursor', 'cursor is not valid');
    const rows = await this.repository.bindings(id, seq, query.limit + 1);
    return toPage(
      rows,
      query.limit,
      (b) => String(b.seq),
      ({ seq: _seq, ...b }) => b,
    );
  }

  async require(id: string): Promise<Device> {
    const device = await this.repository.find(id);
    if (!device) throw new DomainError('not-found', 'fleet.device-not-found', `device ${id} does not exist`);
    return device;
  }

  /** The device read again in the directory here, and announced to the other nodes. */
  private async refreshed(id: string): Promise<void> {
    await this.directory.refresh(id);
    await this.fleetChanges.announce({ devices: [id] });
  }

  /** When a bind or unbind takes effect: `at` or now, never in the future beyond the readings' tolerance. */
  private notInFuture(atIso: string | undefined): number {
    const now = this.clock.now();
    const at = atIso === undefined ? now : Date.parse(atIso);
    if (!Number.isFinite(at) || at > now + READING_BOUNDS.futureToleranceMs) {
      throw new DomainError(
        'invalid',
        'fleet.binding-in-future',
        'at: may not be more than 5 minutes in the future',
      );
    }
    return at;
  }

  /** When an unbind takes effect: also after the device's last binding change (history is not rewritten). */
  private async changeTime(id: string, atIso: string | undefined): Promise<number> {
    const at = this.notInFuture(atIso);
    const last = await this.repository.lastBindingChange(id);
    if (last !== undefined && at <= last) {
      throw new DomainError(
        'conflict',
        'fleet.binding-before-history',
        `at must be after the device's last binding change (${new Date(last).toISOString()})`,
      );
    }
    return at;
  }

  private view(device: Device): DeviceView {
    const containerId = this.directory.containerAt(device.id, this.clock.now());
    return containerId === undefined ? device : { ...device, containerId };
  }
}

function deviceExists(id: string): DomainError {
  return new DomainError('conflict', 'fleet.device-exists', `device ${id} already exists`);
}

function unknownContainer(containerId: string): DomainError {
  return new DomainError(
    'invalid',
    'fleet.unknown-container',
    `containerId: container ${containerId} does not exist`,
  );
}
