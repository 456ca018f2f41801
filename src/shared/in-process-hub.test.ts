import { describe, expect, it } from 'vitest';
import { createInProcessHub } from './in-process-hub.js';

describe('createInProcessHub', () => {
  it('delivers to every listener until it unsubscribes, even when one throws', () => {
    const hub = createInProcessHub<number>();
    const seen: number[] = [];
    const stop = hub.subscribe((n) => seen.push(n));
    hub.subscribe(() => {
      throw new Error('broken');
    });
    hub.publish(1);
    expect(hub.size).toBe(2);
    stop();
    hub.publish(2);
    expect(seen).toEqual([1]);
    expect(hub.size).toBe(1);
  });
});
