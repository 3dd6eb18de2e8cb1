export * from './embedded-postgres';
export * from './ports';
export * from './temporal-dev-server';
export * from './temporal-tools';
export * from './demo-data';
export * from './temporal-cluster';
export * from './api-client';
export * from './prometheus-text';
