import { Injectable } from '@nestjs/common';
import { DomainError } from '#src/common/domain-error.js';
import { DeviceDirectory } from '#src/fleet/device-directory.service.js';
import { ReadingDedupe, type RadioStatus } from '../dedupe/reading-dedupe.service.js';

/** The radio status of registered devices, kept with their container's state (across restarts). */
@Injectable()
export class RadioStatusService {
  constructor(
    private readonly directory: DeviceDirectory,
    private readonly dedupe: ReadingDedupe,
  ) {}

  of(deviceId: string): RadioStatus {
    if (this.directory.byId(deviceId) === undefined) {
      throw new DomainError('not-found', 'fleet.device-not-found', `device ${deviceId} does not exist`);
    }
    return this.dedupe.radioStatus(deviceId);
  }
}
