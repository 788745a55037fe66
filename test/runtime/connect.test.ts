import { describe, expect, it } from 'vitest';
import { LiveshiftError, connect, connectSession, parseDatabaseUrl, redactUrl } from '@liveshift/runtime';

describe('redactUrl', () => {
  it('hides the password of a postgres URL', () => {
    expect(redactUrl('postgres://app:s3cr%40t@db.internal:5432/prod')).toBe('postgres://app:***@db.internal:5432/prod');
  });

  it('hides a password given as a query parameter', () => {
    expect(redactUrl('postgresql://app@db/prod?sslmode=require&password=hunter2')).toBe(
      'postgresql://app@db/prod?sslmode=require&password=***',
    );
  });

  it('leaves a URL without a password as it is', () => {
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBe('postgres://postgres@127.0.0.1:5432/postgres');
  });

  it('still hides user:password@ in a string that is not a valid URL', () => {
    expect(redactUrl('postgres://app:hunter2@db:notaport/x')).not.toContain('hunter2');
  });
});

describe('parseDatabaseUrl', () => {
  it('accepts postgres:// and postgresql://', () => {
    expect(parseDatabaseUrl('postgres://u@h/db').engine).toBe('postgres');
    expect(parseDatabaseUrl('postgresql://u@h/db').engine).toBe('postgres');
  });

  it('accepts mysql:// and mariadb:// as one engine family (the server says which it is)', () => {
    expect(parseDatabaseUrl('mysql://root@127.0.0.1:3306/test').engine).toBe('mysql');
    expect(parseDatabaseUrl('mariadb://root@127.0.0.1:3306/test').engine).toBe('mysql');
  });

  it('accepts sqlite:<path>, and refuses sqlite: with no path (exit 2)', () => {
    expect(parseDatabaseUrl('sqlite:./app.db').engine).toBe('sqlite');
    const error = catchError(() => parseDatabaseUrl('sqlite:'));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/names no SQLite file/);
  });

  it('rejects an unknown scheme without echoing its password', () => {
    const error = catchError(() => parseDatabaseUrl('oracle://scott:tiger@db/orcl'));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('postgres://, postgresql://, mysql://, mariadb:// or sqlite:');
    expect(error.message).not.toContain('tiger');
  });
});

describe('connect', () => {
  it('a mysql:// URL without a database is bad input, and an unreachable server a failure with the password hidden', async () => {
    const noDb = await connectSession('mysql://root@127.0.0.1:3306').then(() => undefined, (e: unknown) => e);
    expect((noDb as LiveshiftError).exitCode).toBe(2);
    expect((noDb as LiveshiftError).message).toMatch(/names no database/);
    const down = await connectSession('mariadb://app:hunter2@127.0.0.1:1/prod').then(() => undefined, (e: unknown) => e);
    expect((down as LiveshiftError).exitCode).toBe(1);
    expect((down as LiveshiftError).message).toContain('mariadb://app:***@127.0.0.1:1/prod');
    expect((down as LiveshiftError).message).not.toContain('hunter2');
  });

  it('fails with exit code 1 and a redacted URL when the server is unreachable', async () => {
    const error = await connect('postgres://app:hunter2@127.0.0.1:1/prod').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LiveshiftError);
    expect((error as LiveshiftError).exitCode).toBe(1);
    expect((error as LiveshiftError).message).toContain('postgres://app:***@127.0.0.1:1/prod');
    expect((error as LiveshiftError).message).not.toContain('hunter2');
  });
});

function catchError(run: () => unknown): LiveshiftError {
  try {
    run();
  } catch (error) {
    return error as LiveshiftError;
  }
  throw new Error('expected an error');
}
