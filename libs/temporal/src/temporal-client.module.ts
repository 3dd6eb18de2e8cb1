import { Global, Module } from '@nestjs/common';
import { TemporalClient } from './temporal-client';

/** Provides the process's one TemporalClient everywhere. */
@Global()
@Module({ providers: [TemporalClient], exports: [TemporalClient] })
export class TemporalClientModule {}
