export * from './fingerprints';
export * from './key-generation';
export * from './keypair-errors';
export * from './keypair.repository';
export * from './keypair.service';
export * from './keypairs.module';
export { parseSshPublicKey } from './ssh-public-key';
