import { Global, Module } from '@nestjs/common';
import { DeviceMessageSink } from '#src/broker/runtime/device-message.sink.js';
import { FleetModule } from '#src/fleet/fleet.module.js';
import { LogModule } from '#src/log/log.module.js';
import { LogEdgeSink } from './log-edge.sink.js';

/**
 * A cluster's edge (CONVOI_ROLES edge, with NATS_URL; `app.module.ts` imports it then): the broker's
 * device messages go to the shared log. Global because it binds a port of the broker, which sits
 * below it and cannot import it.
 */
@Global()
@Module({
  imports: [FleetModule, LogModule],
  providers: [LogEdgeSink, { provide: DeviceMessageSink, useExisting: LogEdgeSink }],
  exports: [DeviceMessageSink],
})
export class EdgeModule {}
