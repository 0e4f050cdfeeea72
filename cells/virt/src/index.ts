export * from './fake/fake-driver';
export * from './libvirt';
export * from './virt-driver';
export * from './create-driver';
export * from './host-uptime';
export * from './config-drive';
