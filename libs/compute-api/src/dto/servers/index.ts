export * from './server-create.dto';
export * from './server-create';
export * from './server-update.dto';
export * from './server-actions';
export * from './server-metadata.dto';
export * from './server-tags.dto';
export type { NetworkRequestFields } from './networks.dto';
export { BDM_NOT_SUPPORTED } from './block-devices';
export { idFromHref } from './formats';
