import { Injectable } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { READING_BOUNDS } from '#src/contracts/reading.js';
import { decideBind } from './binding-history.policy.js';
import { ContainersService } from './containers.service.js';
import { DeviceDirectory } from './device-directory.service.js';
import { DevicesRepository } from './devices.repository.js';
import type { BindDeviceDto, CreateDeviceDto, UnbindDeviceDto, UpdateDeviceDto } from './dto/device.dto.js';
import { FleetRepository } from './fleet.repository.js';
import type { Device, DeviceBinding } from './fleet.types.js';
import { afterKey, toPage, type Page } from '#src/common/http/pagination.js';
import { patchOf } from '#src/common/http/patch.js';
import { isConstraintError } from '#src/storage/sqlite-errors.js';
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
  ) {}

  create(dto: CreateDeviceDto): Versioned<DeviceView> {
    try {
      this.repository.insert({ ...dto }, this.clock.now());
    } catch (err) {
      if (isConstraintError(err, 'PRIMARYKEY'))
        throw new DomainError('conflict', 'fleet.device-exists', `device ${dto.id} already exists`);
      if (isConstraintError(err, 'UNIQUE'))
        throw new DomainError(
          'conflict',
          'fleet.dev-eui-taken',
          `devEui ${dto.devEui} belongs to another device`,
        );
      throw err;
    }
    this.directory.refresh(dto.id);
    return this.get(dto.id);
  }

  list(query: { cursor?: string; limit: number }): Page<DeviceView> {
    const rows = this.repository.list(afterKey(query), query.limit + 1);
    return toPage(
      rows,
      query.limit,
      (d) => d.id,
      (d) => this.view(d),
    );
  }

  get(id: string): Versioned<DeviceView> {
    const device = this.require(id);
    return versioned(this.view(device), device);
  }

  update(id: string, dto: UpdateDeviceDto, ifMatch: string | undefined): Versioned<DeviceView> {
    const current = this.require(id);
    assertIfMatch(ifMatch, versioned(current).etag);
    try {
      this.repository.update(
        { ...current, ...patchOf(dto, ['devEui', 'model', 'channelMap', 'lorawanApplication']) },
        this.clock.now(),
      );
    } catch (err) {
      if (isConstraintError(err, 'UNIQUE'))
        throw new DomainError(
          'conflict',
          'fleet.dev-eui-taken',
          `devEui ${dto.devEui} belongs to another device`,
        );
      throw err;
    }
    this.directory.refresh(id);
    return this.get(id);
  }

  delete(id: string, ifMatch: string | undefined): void {
    const current = this.require(id);
    assertIfMatch(ifMatch, versioned(current).etag);
    if (this.fleet.openBinding(id)) {
      throw new DomainError(
        'conflict',
        'fleet.device-bound',
        `device ${id} is on a container: unbind it first`,
      );
    }
    this.repository.delete(id);
    this.directory.refresh(id);
  }

  bind(id: string, dto: BindDeviceDto): DeviceBinding {
    this.require(id);
    try {
      this.containers.require(dto.containerId);
    } catch {
      throw new DomainError(
        'invalid',
        'fleet.unknown-container',
        `containerId: container ${dto.containerId} does not exist`,
      );
    }
    const at = this.notInFuture(dto.at);
    const decision = decideBind(this.fleet.bindingsOf(id), dto.containerId, at);
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
        this.repository.extendNewest(id, at);
        break;
      case 'append':
        this.fleet.transaction(() => this.fleet.bindDevice(id, dto.containerId, at));
    }
    this.directory.refresh(id);
    return this.fleet.openBinding(id)!;
  }

  unbind(id: string, dto: UnbindDeviceDto): DeviceBinding {
    this.require(id);
    const open = this.fleet.openBinding(id);
    if (!open) throw new DomainError('conflict', 'fleet.not-bound', `device ${id} is on no container`);
    const at = this.changeTime(id, dto.at);
    this.repository.unbind(id, at);
    this.directory.refresh(id);
    return { ...open, unboundAt: at };
  }

  bindings(id: string, query: { cursor?: string; limit: number }): Page<DeviceBinding> {
    this.require(id);
    const after = afterKey(query);
    const seq = after === undefined ? 0 : Number(after);
    if (!Number.isSafeInteger(seq))
      throw new DomainError('invalid', 'common.bad-cursor', 'cursor is not valid');
    const rows = this.repository.bindings(id, seq, query.limit + 1);
    return toPage(
      rows,
      query.limit,
      (b) => String(b.seq),
      ({ seq: _seq, ...b }) => b,
    );
  }

  require(id: string): Device {
    const device = this.repository.find(id);
    if (!device) throw new DomainError('not-found', 'fleet.device-not-found', `device ${id} does not exist`);
    return device;
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
  private changeTime(id: string, atIso: string | undefined): number {
    const at = this.notInFuture(atIso);
    const last = this.repository.lastBindingChange(id);
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
