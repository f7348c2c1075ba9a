#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `verigate` works right after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
