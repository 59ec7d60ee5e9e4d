export * from './model';
export * from './errors';
export * from './machine';
export * from './sla';
export * from './outage';
