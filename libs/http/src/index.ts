export * from './configure-app';
export * from './cursor';
export * from './page';
export * from './problem-details';
export * from './problem-details.filter';
export * from './validation';
export * from './validators';
