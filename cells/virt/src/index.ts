export * from './fake/fake-driver';
export * from './virt-driver';
