export { createProgram, runCli } from './program.js';
export { parseIntentFile } from './inputs.js';
