export * from './agent';
export * from './config';
export * from './decision';
export * from './router';
