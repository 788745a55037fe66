// The users table as the application now wants it. Compared with the database (see db.mjs) it has
// gained `locale` (NOT NULL) and an index on created_at: the change `typeorm migration:generate`
// would write as one migration, and `liveshift typeorm generate` writes as safe steps.
// An EntitySchema (plain JavaScript, no decorators); decorated classes work the same way.
import { EntitySchema } from 'typeorm';

export const User = new EntitySchema({
  name: 'User',
  tableName: 'users',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    full_name: { type: 'text' },
    email: { type: 'text' },
    created_at: { type: 'timestamptz', createDate: true },
    locale: { type: 'text' },
  },
  uniques: [{ name: 'users_email_key', columns: ['email'] }],
  indices: [{ name: 'users_created_at_idx', columns: ['created_at'] }],
});
