export { startCentre } from './centre';
export type { Centre } from './centre';
export { CentreConfigSchema, DEMO_PEER_SECRET, DEMO_TOKEN_SECRET } from './config';
export type { CentreConfig, CentreConfigInput } from './config';
