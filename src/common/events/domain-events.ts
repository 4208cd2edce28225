import { Injectable } from '@nestjs/common';
import type { EventMap, EventName } from './event-map.js';

export type EventHandler<K extends EventName> = (payload: EventMap[K]) => void;

type Handlers = { [K in EventName]?: EventHandler<K>[] };

/**
 * The one way effects leave a feature (event-map.ts). Handlers subscribe in `onModuleInit` (or
 * `onApplicationBootstrap`) and run synchronously, in subscription order, when an event is
 * emitted. A handler that throws stops the emit and the error reaches the emitter, which decides
 * (the rule engine logs it; a REST write would answer 500): nothing is swallowed here.
 */
@Injectable()
export class DomainEvents {
  private readonly handlers: Handlers = {};

  on<K extends EventName>(name: K, handler: EventHandler<K>): void {
    const list: EventHandler<K>[] = this.handlers[name] ?? [];
    list.push(handler);
    (this.handlers as Record<K, EventHandler<K>[]>)[name] = list;
  }

  emit<K extends EventName>(name: K, payload: EventMap[K]): void {
    const list = this.handlers[name];
    if (list === undefined) return;
    for (const handler of list) handler(payload);
  }
}
