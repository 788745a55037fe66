import cliProgress from 'cli-progress';
import type { BackfillProgress, BackfillProgressCallback } from './postgres/backfill.js';

/**
 * Backfill progress on standard error (standard output is reserved for JSON): a live bar on a
 * terminal, and plain periodic lines in CI logs and pipes, where a redrawn bar is noise.
 */

export interface ProgressReporterOptions {
  stream?: NodeJS.WriteStream;
  /** Minimum time between plain lines. Default 5 s. */
  intervalMs?: number;
}

export function createBackfillProgressReporter(options: ProgressReporterOptions = {}): BackfillProgressCallback {
  const stream = options.stream ?? process.stderr;
  return stream.isTTY ? barReporter(stream) : lineReporter(stream, options.intervalMs ?? 5000);
}

/** "backfill public.users: 120000/1000000 rows (12%)" */
export function progressLine(progress: BackfillProgress): string {
  const head = `backfill ${progress.table}: `;
  if (progress.finished) {
    return `${head}done, ${progress.done} rows covered, ${progress.updated} updated in ${progress.batches} batches`;
  }
  if (progress.total === null || progress.total <= 0) return `${head}${progress.done} rows so far`;
  const percent = Math.min(100, Math.floor((progress.done / progress.total) * 100));
  return `${head}${progress.done}/${progress.total} rows (${percent}%)`;
}

function lineReporter(stream: NodeJS.WritableStream, intervalMs: number): BackfillProgressCallback {
  let lastLineAt = 0;
  return (progress) => {
    const now = Date.now();
    if (!progress.finished && now - lastLineAt < intervalMs) return;
    lastLineAt = now;
    stream.write(`${progressLine(progress)}\n`);
  };
}

function barReporter(stream: NodeJS.WritableStream): BackfillProgressCallback {
  let bar: cliProgress.SingleBar | undefined;
  let barStep: number | undefined;
  return (progress) => {
    // the estimate may be missing or low; the bar's end is never below what is already done
    const total = Math.max(progress.total ?? 0, progress.done, 1);
    if (!bar || barStep !== progress.step) {
      bar?.stop();
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `backfill ${progress.table} [{bar}] {percentage}% | {value}/{total} rows | ETA {eta_formatted}`,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, progress.done);
      barStep = progress.step;
    }
    bar.setTotal(total);
    bar.update(progress.done);
    if (progress.finished) {
      bar.stop();
      bar = undefined;
      barStep = undefined;
      stream.write(`${progressLine(progress)}\n`);
    }
  };
}
