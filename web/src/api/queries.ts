import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from '@tanstack/react-query';
import { api, query, setCsrfToken } from './client.js';
import type {
  Change,
  ChangeCardPage,
  PolicyInfo,
  Session,
  SignInMethods,
  TimelineEvent,
} from './types.js';

export const keys = {
  session: ['session'] as const,
  policy: ['policy'] as const,
  methods: ['auth-methods'] as const,
  changes: ['changes'] as const,
  list: (params: Record<string, string>) => ['changes', 'list', params] as const,
  change: (id: string) => ['changes', 'one', id] as const,
  events: (id: string) => ['changes', 'events', id] as const,
};

export function useSession() {
  return useQuery({
    queryKey: keys.session,
    queryFn: async () => {
      const session = await api<Session>('GET', '/session');
      setCsrfToken(session.csrfToken);
      return session;
    },
    retry: false,
    staleTime: 5 * 60_000,
  });
}

export function useSignInMethods() {
  return useQuery({
    queryKey: keys.methods,
    queryFn: () => api<SignInMethods>('GET', '/auth/methods'),
    staleTime: Infinity,
  });
}

export function usePolicy() {
  return useQuery({
    queryKey: keys.policy,
    queryFn: () => api<PolicyInfo>('GET', '/policy'),
    staleTime: Infinity,
  });
}

/** One column or list of the board, a page of cards at a time (cursor pagination). */
export function useChangeList(params: Record<string, string>, options: { enabled?: boolean } = {}) {
  return useInfiniteQuery({
    queryKey: keys.list(params),
    queryFn: ({ pageParam }) =>
      api<ChangeCardPage>(
        'GET',
        `/changes${query({ ...params, view: 'card', cursor: pageParam })}`,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: options.enabled ?? true,
  });
}

export function useChanges(params: Record<string, string>, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: keys.list(params),
    queryFn: () => api<ChangeCardPage>('GET', `/changes${query({ ...params, view: 'card' })}`),
    enabled: options.enabled ?? true,
  });
}

export function useChange(id: string) {
  return useQuery({
    queryKey: keys.change(id),
    queryFn: () => api<Change>('GET', `/changes/${encodeURIComponent(id)}`),
  });
}

export function useTimeline(id: string) {
  return useQuery({
    queryKey: keys.events(id),
    queryFn: () =>
      api<{ items: TimelineEvent[] }>('GET', `/changes/${encodeURIComponent(id)}/events`),
  });
}

/** After any action, the change, its timeline and every list may have moved. */
export function refreshChange(client: QueryClient, change: Change): void {
  client.setQueryData(keys.change(change.id), change);
  void client.invalidateQueries({ queryKey: keys.changes });
}

export function useChangeAction(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ action, comment }: { action: string; comment?: string }) =>
      api<Change>(
        'POST',
        `/changes/${encodeURIComponent(id)}/${action}`,
        comment ? { comment } : {},
      ),
    onSuccess: (change) => refreshChange(client, change),
  });
}

export function useComment(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: string) =>
      api<TimelineEvent>('POST', `/changes/${encodeURIComponent(id)}/comments`, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.events(id) }),
  });
}

/** A calendar feed link for the signed-in person; a new one turns the previous one off. */
export function useCalendarFeed() {
  return useMutation({
    mutationFn: () => api<{ url: string; createdAt: string }>('POST', '/calendar/feed', {}),
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<undefined>('POST', '/session/sign-out', {}),
    onSettled: () => {
      setCsrfToken(null);
      client.clear();
      void client.invalidateQueries({ queryKey: keys.session });
    },
  });
}
