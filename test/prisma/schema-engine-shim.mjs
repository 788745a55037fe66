#!/usr/bin/env node
// Test-only stand-in for Prisma's native schema engine, which cannot be downloaded on these
// machines (binaries.prisma.sh is unreachable; npm ships no binary). Prisma's CLI runs it when
// PRISMA_SCHEMA_ENGINE_BINARY points here, exactly as it runs the native one:
//
//   schema-engine-shim.mjs [--datamodels <path>]... [--datasource <json>] cli <command>
//     one-shot commands (can-connect-to-database, create-database, drop-database)
//   schema-engine-shim.mjs [--datamodels <path>]... [--datasource <json>]
//     JSON-RPC 2.0, one message per line on stdin/stdout (applyMigrations, diff, diagnoseMigrationHistory, ...)
//
// Every RPC is served by Prisma's own engine compiled to WebAssembly (@prisma/schema-engine-wasm,
// the build @prisma/internals 7.10.0 ships with), talking to PostgreSQL through @prisma/adapter-pg.
// So `prisma migrate deploy / status / diff / resolve` run Prisma's real migration logic: its
// _prisma_migrations bookkeeping, checksums, failed-migration rules and diffing.
//
// Three adapter-pg defects are patched here (see shared/reference/environment.md §5):
//   1. PostgreSQL's internal "char" type (oid 18) is unsupported, which breaks every introspection;
//      it is read as text.
//   2. executeScript splits a script on ";" (breaking DO $$ ... $$ bodies and string literals);
//      here the whole migration.sql goes to the server as ONE simple query, which is what the native
//      engine long did and what Prisma's documentation describes: the statements of one file run as
//      one implicit transaction, so CREATE INDEX CONCURRENTLY only works alone in its file.
//   3. the shadow database was dropped while its pool was still connected; here the pool is closed
//      first and the database dropped WITH (FORCE).
// It is not part of anything liveshift installs for users: production runs Prisma's native engine.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';

const require = createRequire(import.meta.url);

let lastPanic;
/** The bound adapter factory: JavaScript errors the engine reports as "External error id#N" are kept in its registry. */
let boundFactory;
const args = parseArgs(process.argv.slice(2));
const datasource = args.datasource ? JSON.parse(args.datasource) : {};

// a Rust panic surfaces as a WebAssembly trap outside any request's promise: report it as the native
// engine does (exit code 101, the message as an ERROR log line the CLI shows)
process.on('uncaughtException', (error) => {
  const message = lastPanic ?? (error instanceof Error ? error.message : String(error));
  process.stderr.write(`${JSON.stringify({ level: 'ERROR', target: 'schema_engine::logger', fields: { message, is_panic: true } })}\n`);
  process.exit(101);
});


function parseArgs(argv) {
  const out = { datamodels: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--datamodels') out.datamodels.push(argv[++i]);
    else if (arg === '--datasource') out.datasource = argv[++i];
    else if (arg === '--enabled-preview-features' || arg === '--extension-types') i++;
    else if (arg === '--version' || arg === '-V') out.version = true;
    else if (arg === 'cli') out.cli = argv[++i];
  }
  return out;
}

/** The one-shot commands report failures as the native engine does: JSON log lines on stderr. */
async function runCliCommand(command, url) {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1)) || 'postgres';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  try {
    if (command === 'can-connect-to-database') {
      await withClient(url, () => {});
    } else if (command === 'create-database') {
      await withClient(admin.toString(), (c) => c.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`));
    } else if (command === 'drop-database') {
      await withClient(admin.toString(), (c) => c.query(`DROP DATABASE IF EXISTS "${database.replace(/"/g, '""')}" WITH (FORCE)`));
    } else {
      throw Object.assign(new Error(`unknown command ${command}`), { prismaCode: 'P1000' });
    }
    process.exit(0);
  } catch (error) {
    const code = error.prismaCode ?? (error.code === '3D000' ? 'P1003' : error.code === '28P01' ? 'P1000' : 'P1001');
    const message = error.code === '3D000' ? `Database \`${database}\` does not exist` : String(error.message);
    process.stderr.write(`\n${JSON.stringify({ level: 'ERROR', target: 'schema_engine::logger', fields: { message, error_code: code } })}\n`);
    process.exit(1);
  }
}

async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function loadEngineModule() {
  // the engine reports a Rust panic's message here before it throws
  globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message: (message) => (lastPanic = message) };
  const wasmPath = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
  const module = new WebAssembly.Module(readFileSync(wasmPath));
  const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': bindings });
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start?.();
  return bindings.SchemaEngine;
}

/** PostgreSQL's internal "char" type and the ColumnType the engine reads it as (driver-adapter-utils' Character). */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
const COLUMN_TYPE_CHARACTER = 6;
/** Result rows of queries that returned "char" columns → those columns' positions. */
const charColumns = new WeakMap();

/** adapter-pg with the three patches above. */
function patchedAdapter(adapter) {
  const performIO = adapter.performIO.bind(adapter);
  adapter.performIO = async (query) => {
    const result = await performIO(query);
    const positions = [];
    result.fields.forEach((field, i) => {
      if (field.dataTypeID !== PG_CHAR_OID) return;
      field.dataTypeID = PG_TEXT_OID; // so adapter-pg accepts it; queryRaw below restores the type
      positions.push(i);
    });
    if (positions.length) charColumns.set(result.rows, positions);
    return result;
  };
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of charColumns.get(result.rows) ?? []) result.columnTypes[i] = COLUMN_TYPE_CHARACTER;
    return result;
  };
  adapter.executeScript = async (script) => {
    try {
      await adapter.client.query(script);
    } catch (error) {
      if (process.env.LIVESHIFT_SHIM_DEBUG) process.stderr.write(`executeScript failed: ${error.message}\n`);
      adapter.onError(error);
    }
  };
  return adapter;
}

function adapterFactory(url) {
  const factory = new PrismaPg({ connectionString: url });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => patchedAdapter(await factory.connect()),
    connectToShadowDb: async () => {
      if (datasource.shadowDatabaseUrl) return patchedAdapter(await new PrismaPg({ connectionString: datasource.shadowDatabaseUrl }).connect());
      const name = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
      await withClient(url, (c) => c.query(`CREATE DATABASE "${name}"`));
      const shadowUrl = new URL(url);
      shadowUrl.pathname = `/${name}`;
      const shadow = await new PrismaPg({ connectionString: shadowUrl.toString() }).connect();
      const release = shadow.release;
      shadow.release = async () => {
        await release?.();
        await withClient(url, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      };
      return patchedAdapter(shadow);
    },
  };
}

async function serveRpc() {
  const SchemaEngine = loadEngineModule();
  const datamodels = args.datamodels.map((path) => [path, readFileSync(path, 'utf8')]);
  let engine;
  const engineReady = async () => {
    if (!datasource.url) throw new Error('no datasource url: set datasource.url in prisma.config.ts');
    boundFactory ??= bindMigrationAwareSqlAdapterFactory(adapterFactory(datasource.url));
    engine ??= await SchemaEngine.new({ datamodels: datamodels.length ? datamodels : undefined }, log, boundFactory);
    return engine;
  };
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const pending = [];
  for await (const line of lines) {
    if (!line.trim()) continue;
    const request = JSON.parse(line);
    if (request.result !== undefined || request.error !== undefined) continue; // acknowledgement of a print request
    pending.push(answer(request, engineReady));
  }
  await Promise.all(pending);
  process.exit(0);
}

async function answer(request, engineReady) {
  const { id, method, params } = request;
  try {
    let result;
    if (method === 'getDatabaseVersion' || method === 'version') result = await (await engineReady()).version(params ?? null);
    else if (method === 'ensureConnectionValidity') result = (await (await engineReady()).ensureConnectionValidity(params ?? {})) ?? {};
    else {
      const e = await engineReady();
      if (typeof e[method] !== 'function') throw new Error(`the WASM schema engine has no method ${method}`);
      result = (await e[method](params ?? {})) ?? {};
    }
    if (method === 'diff' && typeof result.stdout === 'string') {
      // the native engine prints the diff through a "print" request to the CLI, which writes it to stdout
      reply({ jsonrpc: '2.0', id: `print-${id}`, method: 'print', params: { content: result.stdout } });
      result = { ...result, stdout: null };
    }
    reply({ jsonrpc: '2.0', id, result });
  } catch (error) {
    reply({ jsonrpc: '2.0', id, error: rpcError(error) });
  }
}

/** Errors as the native engine sends them: user-facing ones carry error_code and message in data. */
function rpcError(error) {
  const external = /External error id#(\d+)/.exec(String(error?.message ?? error));
  const original = external ? boundFactory?.errorRegistry.consumeError(Number(external[1]))?.error : undefined;
  if (original) error = new Error(`${original.message ?? original}`);
  let data;
  try {
    data = typeof error === 'string' ? JSON.parse(error) : JSON.parse(error.message);
  } catch {
    data = undefined;
  }
  if (data && typeof data === 'object' && ('message' in data || 'error_code' in data)) {
    return { code: 4466, message: 'An error happened. Check the data field for details.', data: { is_panic: false, ...data } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 4466, message: 'An error happened. Check the data field for details.', data: { is_panic: false, message, meta: null } };
}

function reply(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Engine log events: errors go to stderr as JSON lines, the format the CLI collects. */
function log(event) {
  try {
    const parsed = typeof event === 'string' ? JSON.parse(event) : event;
    if (parsed?.level === 'ERROR' || process.env.LIVESHIFT_SHIM_DEBUG) process.stderr.write(`${JSON.stringify(parsed)}\n`);
  } catch {
    if (process.env.LIVESHIFT_SHIM_DEBUG) process.stderr.write(`${String(event)}\n`);
  }
}

// last, so that every declaration above is initialised first
if (args.version) {
  process.stdout.write('schema-engine-cli shim-wasm\n');
  process.exit(0);
}
if (args.cli) {
  await runCliCommand(args.cli, datasource.url);
} else {
  await serveRpc();
}
