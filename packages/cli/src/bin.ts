#!/usr/bin/env node
import { runCli } from './program.js';

// `liveshift plan ... | head` closes the pipe early: stop quietly instead of a stack trace
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCli(process.argv);
