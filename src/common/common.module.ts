import { Global, Module } from '@nestjs/common';
import { Clock } from './clock.js';

/** The tiny shared kernel: the clock (tests override it with a ManualClock). */
@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class CommonModule {}
