import type { Timeouts } from '../../plan/types.js';

/**
 * Lock-taking DDL waits at most lockTimeoutMs per attempt so it never queues the workload behind
 * it for longer (locks.md §1.5: a waiting ACCESS EXCLUSIVE blocks even plain SELECTs), then retries
 * with exponential backoff. 2 s sits inside the range the anchors use (pgroll 500 ms … SM 10 s).
 */
export function ddlTimeouts(lockTimeoutMs: number, retries: number, statementTimeoutMs = 0): Timeouts {
  return {
    lockTimeoutMs,
    retries,
    initialBackoffMs: 500,
    maxBackoffMs: 30_000,
    statementTimeoutMs,
  };
}
