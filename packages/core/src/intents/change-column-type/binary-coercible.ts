import type { EngineInfo } from '../../schema/snapshot.js';
import { hasCapability, PG_CAPABILITIES, type CapabilityName } from '../../engines/postgres/capabilities.js';
import { parseTypeName, type Node } from '../../input/pg-parser.js';

/**
 * The type changes ALTER COLUMN … TYPE makes without rewriting the table (locks.md §1.3: "the
 * USING clause does not change the column contents and the old type is binary coercible to the
 * new type"), as data. Each was measured on 11, 12 and 18: relfilenode of the table and its
 * indexes unchanged, no sequential scan inside the transaction.
 */

/** A type as the parser sees it: catalog name, modifiers, array or not. */
export interface TypeShape {
  base: string;
  mods: number[];
  array: boolean;
}

export function typeShape(type: string): TypeShape {
  const t: Node = parseTypeName(type);
  const names = (t.names as Node[]).map((n) => n.String.sval as string);
  const mods = ((t.typmods as Node[] | undefined) ?? []).map((m) => m.A_Const?.ival?.ival ?? 0);
  return { base: names[names.length - 1]!, mods, array: ((t.arrayBounds as Node[] | undefined)?.length ?? 0) > 0 };
}

export interface InPlaceRule {
  /** "character varying(n) → character varying(m ≥ n)" */
  label: string;
  applies: (from: TypeShape, to: TypeShape) => boolean;
  /** Indexes on the column are rebuilt (a scan) even though the table is not rewritten. */
  rebuildsIndexes: boolean;
  /** Only without rewrite on servers with this capability. */
  capability?: CapabilityName;
  /** The conversion must run with the session TimeZone set to UTC. */
  utc?: boolean;
  source: string;
}

/** A length/precision modifier that only grows: none after (unlimited), or both set and not smaller. */
const grows = (from: TypeShape, to: TypeShape, unlimited = Infinity) =>
  to.mods.length === 0 || to.mods[0]! >= (from.mods.length > 0 ? from.mods[0]! : unlimited);
/** Fractional seconds: no modifier means 6 digits, the most there is. */
const MAX_SECONDS_PRECISION = 6;
const same = (...bases: string[]) => (from: TypeShape, to: TypeShape) => bases.includes(from.base) && from.base === to.base;

export const IN_PLACE_RULES: InPlaceRule[] = [
  {
    label: 'character varying(n) → character varying(m ≥ n) or unlimited',
    applies: (f, t) => same('varchar')(f, t) && grows(f, t),
    rebuildsIndexes: false,
    source: 'locks.md §1.3 [E]',
  },
  { label: 'character varying → text', applies: (f, t) => f.base === 'varchar' && t.base === 'text', rebuildsIndexes: false, source: 'locks.md §1.3 [E]' },
  { label: 'text → character varying (unlimited)', applies: (f, t) => f.base === 'text' && t.base === 'varchar' && t.mods.length === 0, rebuildsIndexes: false, source: 'locks.md §1.3 [E]' },
  {
    label: 'numeric(p,s) → numeric(p′ ≥ p, s) or unconstrained numeric',
    applies: (f, t) => same('numeric')(f, t) && (t.mods.length === 0 || (f.mods.length > 0 && t.mods[0]! >= f.mods[0]! && (t.mods[1] ?? 0) === (f.mods[1] ?? 0))),
    rebuildsIndexes: false,
    source: 'locks.md §1.3 [E]',
  },
  {
    label: 'timestamp/timestamptz/time/timetz precision increase or removal',
    applies: (f, t) => same('timestamp', 'timestamptz', 'time', 'timetz')(f, t) && grows(f, t, MAX_SECONDS_PRECISION),
    rebuildsIndexes: false,
    source: 'locks.md §1.3 (strong_migrations); measured on 11, 12, 18 for this project',
  },
  { label: 'bit varying(n) → bit varying(m ≥ n) or unlimited', applies: (f, t) => same('varbit')(f, t) && grows(f, t), rebuildsIndexes: false, source: 'locks.md §1.3; measured on 11, 12, 18' },
  { label: 'cidr → inet', applies: (f, t) => f.base === 'cidr' && t.base === 'inet', rebuildsIndexes: false, source: 'locks.md §1.3; measured on 11, 12, 18' },
  {
    label: 'timestamp → timestamptz, values read as UTC',
    applies: (f, t) => f.base === 'timestamp' && t.base === 'timestamptz' && grows(f, t, MAX_SECONDS_PRECISION),
    rebuildsIndexes: true,
    capability: 'timestampToTimestamptzInUtcWithoutRewrite',
    utc: true,
    source: 'locks.md §1.3 [E] (11 rewrites; 12+ does not, indexes on the column are still rebuilt)',
  },
  {
    label: 'timestamptz → timestamp, values written as UTC',
    applies: (f, t) => f.base === 'timestamptz' && t.base === 'timestamp' && grows(f, t, MAX_SECONDS_PRECISION),
    rebuildsIndexes: true,
    capability: 'timestampToTimestamptzInUtcWithoutRewrite',
    utc: true,
    source: 'measured for this project on 11, 12, 18 (the reverse of the locks.md §1.3 row; 11 rewrites)',
  },
  {
    label: 'text / character varying → citext, citext → text / unlimited character varying',
    applies: (f, t) => (['text', 'varchar'].includes(f.base) && t.base === 'citext') || (f.base === 'citext' && ['text', 'varchar'].includes(t.base) && t.mods.length === 0),
    rebuildsIndexes: true,
    source: 'locks.md §1.3 (strong_migrations: no table rewrite, indexes rebuilt: another operator class); measured on 11, 12, 18',
  },
];

export type InPlaceVerdict =
  | { inPlace: true; rule: InPlaceRule }
  | { inPlace: false; why: string };

/**
 * Whether changing `from` to `to` keeps the table's storage on `engine`. `utcUsing` says the
 * intent's USING reads the old values as UTC (`c AT TIME ZONE 'UTC'`), the only way a
 * timestamp → timestamptz change has one meaning whatever the session's TimeZone.
 */
export function inPlaceVerdict(from: string, to: string, engine: EngineInfo, usingIsPlain: boolean, utcUsing: boolean): InPlaceVerdict {
  const f = typeShape(from);
  const t = typeShape(to);
  if (f.array || t.array) return { inPlace: false, why: 'array element types are converted element by element, which rewrites the table' };
  const rule = IN_PLACE_RULES.find((r) => r.applies(f, t));
  if (!rule) return { inPlace: false, why: `${from} → ${to} is not binary coercible: PostgreSQL rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE` };
  if (rule.utc ? !utcUsing : !usingIsPlain) {
    return { inPlace: false, why: 'the USING expression changes the stored values, so PostgreSQL rewrites the table' };
  }
  if (rule.capability && !hasCapability(engine, rule.capability)) {
    const c = PG_CAPABILITIES[rule.capability];
    return { inPlace: false, why: `PostgreSQL ${engine.version} rewrites the table for ${rule.label} (${c.why} from ${Math.floor(c.since / 10000)})` };
  }
  return { inPlace: true, rule };
}
