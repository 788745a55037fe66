import type { WorkloadQuery } from './workload.js';

/**
 * The application across the releases of the users.full_name → display_name rename: which column
 * it reads and which it writes. With --sync trigger there is no dual-write release.
 */
export function renameApplication(sync: 'app' | 'trigger') {
  const read = (col: string): WorkloadQuery => ({ kind: 'read', build: (id) => ({ text: `SELECT id, ${col} FROM users WHERE id = $1`, values: [id()] }) });
  const update = (cols: string[]): WorkloadQuery => ({
    kind: 'update',
    // the name is rewritten to the value it already has, so seeded data stays checkable
    build: (id) => ({ text: `UPDATE users SET email = email, ${cols.map((c) => `${c} = 'user ' || id`).join(', ')} WHERE id = $1`, values: [id()] }),
  });
  const insert = (cols: string[]): WorkloadQuery => ({
    kind: 'insert',
    build: () => ({ text: `INSERT INTO users (email, ${cols.join(', ')}) VALUES ('new@example.com', ${cols.map(() => `'newcomer'`).join(', ')})`, values: [] }),
  });
  const old = [read('full_name'), update(['full_name']), insert(['full_name'])];
  const both = [read('full_name'), update(['full_name', 'display_name']), insert(['full_name', 'display_name'])];
  const renamed = [read('display_name'), update(['display_name']), insert(['display_name'])];
  return (release: number): WorkloadQuery[] => (sync === 'trigger' ? [old, renamed][Math.min(release, 1)]! : [old, both, renamed][Math.min(release, 2)]!);
}
