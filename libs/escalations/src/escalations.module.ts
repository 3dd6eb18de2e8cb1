import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EscalationEntity, NoticeEntity } from '@app/persistence';
import { EscalationsController } from './escalations.controller';
import { EscalationsService } from './escalations.service';

/** Fired rungs and published notices: what supervisors review and the public reads. */
@Module({
  imports: [TypeOrmModule.forFeature([EscalationEntity, NoticeEntity])],
  controllers: [EscalationsController],
  providers: [EscalationsService],
  exports: [EscalationsService],
})
export class EscalationsModule {}
