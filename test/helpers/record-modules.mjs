// `node --import ./record-modules.mjs …`: appends every module URL the process resolves to
// $FLARELIFT_RECORD_MODULES, one per line (a test reads which drivers a command loaded).
import { register } from 'node:module';
import process from 'node:process';

register('./record-modules-hooks.mjs', import.meta.url, { data: { file: process.env.FLARELIFT_RECORD_MODULES } });
