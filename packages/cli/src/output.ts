import { writeFile } from 'node:fs/promises';
import { redactSecrets } from './errors.js';

/** Messages for the operator go to standard error, so standard output stays clean for JSON. */
export function info(message: string): void {
  process.stderr.write(`${redactSecrets(message)}\n`);
}

/** Whether ANSI emphasis is welcome on standard output (a terminal, and NO_COLOR unset). */
export function stdoutWantsColor(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR;
}

/** The result of a command: to --out when given, else to standard output alone. */
export async function emit(text: string, outFile: string | undefined, what: string): Promise<void> {
  if (outFile) {
    await writeFile(outFile, text);
    info(`wrote ${what} to ${outFile}`);
  } else {
    process.stdout.write(text);
  }
}
