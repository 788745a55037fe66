/**
 * Whether a default expression is volatile, i.e. evaluated per row. A volatile default on
 * ADD COLUMN rewrites the whole table under ACCESS EXCLUSIVE (locks.md §1.2 [E]).
 * The server decides by pg_proc.provolatile; offline we know the common functions and treat an
 * unknown function as volatile, the safe assumption (the intent may override it).
 */
export const STABLE_OR_IMMUTABLE_FUNCTIONS = new Set([
  'now', 'current_timestamp', 'current_date', 'current_time', 'localtimestamp', 'localtime',
  'transaction_timestamp', 'statement_timestamp', 'current_user', 'session_user', 'current_schema',
  'lower', 'upper', 'length', 'coalesce', 'nullif', 'concat', 'md5', 'abs', 'round', 'jsonb_build_object',
  'json_build_object', 'to_jsonb', 'array', 'make_interval', 'make_date', 'make_timestamp', 'make_timestamptz',
]);

export const KNOWN_VOLATILE_FUNCTIONS = new Set([
  'random', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'uuidv4', 'uuidv7',
  'clock_timestamp', 'timeofday', 'nextval', 'txid_current', 'pg_current_xact_id', 'setseed', 'random_normal',
]);

export type Volatility = { volatile: boolean; reason: string };
