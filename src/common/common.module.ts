import { Global, Module } from '@nestjs/common';
import { Clock } from './clock.js';
import { Metrics } from './metrics.js';

/** The tiny shared kernel: the clock (tests override it with a ManualClock) and metrics. */
@Global()
@Module({ providers: [Clock, Metrics], exports: [Clock, Metrics] })
export class CommonModule {}
