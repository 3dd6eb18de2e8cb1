export * from './connection-options';
export * from './temporal-client';
export * from './temporal-client.module';
export * from './ticket-worker';
