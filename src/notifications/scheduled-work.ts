import type { Clock } from '../shared/clock.js';
import type { DispatcherOptions } from './dispatcher.js';

/**
 * Work for the dispatcher to do beside its rounds, at most every 15 s of the clock
 * (each may keep its own pace too). One job failing stops none of the others; it
 * is logged by name and tried again at the next turn.
 */
export function scheduledWork(
  clock: Clock,
  jobs: Readonly<Record<string, () => Promise<unknown>>>,
  log: DispatcherOptions['log'],
): () => Promise<void> {
  let lastRun = Number.NEGATIVE_INFINITY;
  return async () => {
    const now = clock.now().getTime();
    if (now - lastRun < SCHEDULED_WORK_MS) return;
    lastRun = now;
    for (const [name, job] of Object.entries(jobs)) {
      try {
        await job();
      } catch (error) {
        log?.('warn', `scheduled work failed: ${name}`, {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  };
}

const SCHEDULED_WORK_MS = 15_000;
