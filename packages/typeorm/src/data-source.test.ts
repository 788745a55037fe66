import { describe, expect, it } from 'vitest';
import { staticPrefix } from './data-source.js';

describe('the folder a migrations glob points to', () => {
  it('is the glob up to its first wildcard, as typed (relative globs resolve from the working directory, as TypeORM does)', () => {
    expect(staticPrefix('src/migrations/*.ts')).toBe('src/migrations');
    expect(staticPrefix('db/**/*.{js,ts}')).toBe('db');
    expect(staticPrefix('/srv/app/dist/migrations/*.js')).toBe('/srv/app/dist/migrations');
    expect(staticPrefix('./migrations/[0-9]*.js')).toBe('./migrations');
    expect(staticPrefix('*.js')).toBe('.');
  });

  it('a glob naming a folder of its own is that folder', () => {
    expect(staticPrefix('migrations')).toBe('migrations');
    expect(staticPrefix('dist/migrations/')).toBe('dist/migrations');
    expect(staticPrefix('migrations/1795610098123-Init.js')).toBe('migrations');
  });
});
