import { performance } from 'node:perf_hooks';

/**
 * Wall-clock milliseconds since the epoch with sub-millisecond precision. Query records, step
 * windows and lock samples all use this one clock so they can be laid on one time axis.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
