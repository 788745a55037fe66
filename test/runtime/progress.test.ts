import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createBackfillProgressReporter, progressLine, type BackfillProgress } from '@liveshift/runtime';

const at = (done: number, total: number | null, finished = false): BackfillProgress => ({
  step: 3,
  table: 'public.users',
  done,
  total,
  updated: done,
  batches: Math.ceil(done / 1000),
  finished,
});

describe('backfill progress', () => {
  it('reads as rows done out of the estimate', () => {
    expect(progressLine(at(120_000, 1_000_000))).toBe('backfill public.users: 120000/1000000 rows (12%)');
    expect(progressLine(at(5000, null))).toBe('backfill public.users: 5000 rows so far');
    expect(progressLine(at(1_000_000, 1_000_000, true))).toBe('backfill public.users: done, 1000000 rows covered, 1000000 updated in 1000 batches');
  });

  it('prints plain periodic lines when standard error is not a terminal, always including the last one', () => {
    const stream = new PassThrough();
    let output = '';
    stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const report = createBackfillProgressReporter({ stream: stream as unknown as NodeJS.WriteStream, intervalMs: 60_000 });
    report(at(1000, 3000));
    report(at(2000, 3000)); // within the interval: skipped
    report(at(3000, 3000, true));
    expect(output).toBe(
      'backfill public.users: 1000/3000 rows (33%)\nbackfill public.users: done, 3000 rows covered, 3000 updated in 3 batches\n',
    );
  });
});
