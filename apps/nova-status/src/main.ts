#!/usr/bin/env node
import 'reflect-metadata';
import { runNovaStatus } from './run-nova-status';

void runNovaStatus(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
