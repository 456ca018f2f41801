import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { keys } from '../api/queries.js';

export type LiveStatus = 'connecting' | 'live' | 'offline';

interface LiveUpdate {
  readonly changeId: string;
}

/**
 * Listens to GET /api/v1/events/stream while signed in. Each update refetches
 * the lists and that change, so a card moves on every open board without a
 * reload; after a reconnect everything is refetched, in case updates were missed.
 */
export function useLiveUpdates(enabled: boolean): LiveStatus {
  const client = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource('/api/v1/events/stream');
    let wasOpen = false;
    source.addEventListener('ready', () => {
      setStatus('live');
      if (wasOpen) void client.invalidateQueries({ queryKey: keys.changes });
      wasOpen = true;
    });
    source.addEventListener('change', (event) => {
      const update = JSON.parse((event as MessageEvent<string>).data) as LiveUpdate;
      void client.invalidateQueries({ queryKey: ['changes', 'list'] });
      void client.invalidateQueries({ queryKey: keys.meetings });
      void client.invalidateQueries({ queryKey: keys.change(update.changeId) });
      void client.invalidateQueries({ queryKey: keys.events(update.changeId) });
    });
    source.addEventListener('error', () => setStatus('offline'));
    return () => source.close();
  }, [enabled, client]);
  return status;
}
