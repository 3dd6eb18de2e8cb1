export * from './companies.module';
export * from './companies.service';
export * from './dto/company.dto';
export * from './dto/create-company.dto';
export * from './dto/update-company.dto';
