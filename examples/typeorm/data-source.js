// An ordinary TypeORM data source: the TypeORM CLI and `liveshift typeorm` both read it with -d.
import { DataSource } from 'typeorm';
import { User } from './entity/User.js';

export default new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:54329/postgres',
  entities: [User],
  // walkthrough.mjs points this at a scratch folder so its runs never mix with yours
  migrations: [`${process.env.MIGRATIONS_DIR ?? 'migrations'}/*.js`],
  // liveshift's classes set transaction = false (each step opens its own short transactions),
  // which TypeORM accepts in this mode; its default, "all", refuses them
  migrationsTransactionMode: 'each',
});
