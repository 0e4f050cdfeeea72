export * from './domain-xml';
export * from './libvirt-driver';
export * from './power-state';
export * from './domain-consoles';
