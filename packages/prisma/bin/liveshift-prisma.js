#!/usr/bin/env node
// The Prisma generator `liveshift-prisma` (generator liveshift { provider = "liveshift-prisma" }).
// A committed stub, so the bin exists from install on, before the package is built.
import '../dist/generator-bin.js';
