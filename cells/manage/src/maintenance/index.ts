export * from './archive.service';
export * from './cell-databases';
export * from './online-data-migrations.service';
export * from './upgrade-check.service';
