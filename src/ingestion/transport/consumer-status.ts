import { Injectable } from '@nestjs/common';

export type ConsumerState = 'starting' | 'connected' | 'disconnected' | 'reconnecting' | 'closed';

/** The MQTT consumer's connection state, set by the transport, read by /health. */
@Injectable()
export class ConsumerStatus {
  state: ConsumerState = 'starting';
  since = Date.now();

  set(state: ConsumerState): void {
    if (state !== this.state) {
      this.state = state;
      this.since = Date.now();
    }
  }
}
