#!/usr/bin/env node
import 'reflect-metadata';
import { runNovaManage } from './run-nova-manage';

void runNovaManage(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
