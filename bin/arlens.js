#!/usr/bin/env node
// `npx arlens …`: run the TypeScript CLI through tsx (Node 24 comes from the `node` devDependency).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
