export * from './config-drive-files';
export * from './ec2-tree';
export * from './guest';
export * from './metadata-lookup';
export * from './network-data';
export * from './openstack-tree';
export * from './versions';
export * from './metadata-options';
