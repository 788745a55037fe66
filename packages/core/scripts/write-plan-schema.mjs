#!/usr/bin/env node
// Writes docs/plan.schema.json from the zod plan schema in src/plan/schema.ts (run after `pnpm build`).
// A test (src/plan/schema.test.ts) fails when the committed file and the schema drift apart.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { planJsonSchema } from '../dist/index.js';

const target = fileURLToPath(new URL('../../../docs/plan.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(planJsonSchema(), null, 2)}\n`);
console.error(`wrote ${target}`);
