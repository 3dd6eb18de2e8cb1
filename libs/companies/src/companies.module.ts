import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CompanyEntity } from '@app/persistence';
import { CompaniesController } from './companies.controller';
import { CompaniesService } from './companies.service';

/** Heating companies and the districts they serve; tickets are routed by these. */
@Module({
  imports: [TypeOrmModule.forFeature([CompanyEntity])],
  controllers: [CompaniesController],
  providers: [CompaniesService],
  exports: [CompaniesService],
})
export class CompaniesModule {}
