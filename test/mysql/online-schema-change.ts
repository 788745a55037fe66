import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Step } from '@liveshift/core';
import { SERVER_URL } from './mariadb.js';

const run = promisify(execFile);

/** Shell words of a command line as the plan prints it ('…' quoting, '\'' for a quote). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      current += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '\\') {
      current += line[++i];
      inWord = true;
    } else if (ch === ' ') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/**
 * Runs the pt-online-schema-change command of an operator step exactly as the plan prints it, with
 * the operator's placeholders filled in for the test server (root, no password: --ask-pass dropped).
 */
export async function runPlannedPtOsc(step: Step): Promise<string> {
  const at = step.instruction.indexOf('pt-online-schema-change ');
  if (at < 0) throw new Error(`step ${step.n} carries no pt-online-schema-change command`);
  const server = new URL(SERVER_URL);
  const words = shellWords(step.instruction.slice(at)).slice(1).flatMap((w) => {
    if (w === '--host=<host>') return [`--host=${server.hostname}`, `--port=${server.port || '3306'}`];
    if (w === '--user=<user>') return [`--user=${decodeURIComponent(server.username || 'root')}`];
    if (w === '--ask-pass') return server.password ? [`--password=${decodeURIComponent(server.password)}`] : [];
    return [w];
  });
  const { stdout, stderr } = await run('pt-online-schema-change', words, { maxBuffer: 10 * 1024 * 1024 });
  return `${stdout}${stderr}`;
}
