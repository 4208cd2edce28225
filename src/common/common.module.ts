import { Global, Module } from '@nestjs/common';
import { Clock } from './clock.js';
import { DomainEvents } from './events/domain-events.js';
import { Metrics } from './metrics.js';

/**
 * The tiny shared kernel: the clock (tests override it with a ManualClock), metrics, and the
 * event map through which features announce effects to each other.
 */
@Global()
@Module({ providers: [Clock, Metrics, DomainEvents], exports: [Clock, Metrics, DomainEvents] })
export class CommonModule {}
