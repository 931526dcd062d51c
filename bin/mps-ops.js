#!/usr/bin/env node
// `npx mps-ops <command>`: the ops CLI (ops/cli.ts), run through tsx's loader as `npm run ops` runs it.
import { register } from 'tsx/esm/api';

register();
await import('../ops/cli.ts');
