import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** Serves the built work console at `/`. */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
