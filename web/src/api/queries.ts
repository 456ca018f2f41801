import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from '@tanstack/react-query';
import { api, query, setCsrfToken } from './client.js';
import type {
  Agenda,
  Change,
  ChangeClock,
  ChangeEdit,
  ChangeCardPage,
  DemoInbox,
  Insights,
  InsightsFilterParams,
  Meeting,
  NewChange,
  NewDiscussion,
  PersonStatus,
  PolicyHistory,
  PolicyInfo,
  Session,
  SignInMethods,
  TimelineEvent,
} from './types.js';

export const keys = {
  session: ['session'] as const,
  policy: ['policy'] as const,
  policyHistory: ['policy', 'history'] as const,
  methods: ['auth-methods'] as const,
  changes: ['changes'] as const,
  list: (params: Record<string, string>) => ['changes', 'list', params] as const,
  change: (id: string) => ['changes', 'one', id] as const,
  events: (id: string) => ['changes', 'events', id] as const,
  clock: (id: string, version: number) => ['changes', 'clock', id, version] as const,
  demoInbox: ['demo-inbox'] as const,
  insights: (params: InsightsFilterParams) => ['insights', params] as const,
  people: ['people'] as const,
  // Under `changes`: whatever moves a change may move it on or off an agenda.
  meetings: ['changes', 'meetings'] as const,
  agenda: (id: string, at: string | undefined) =>
    ['changes', 'meetings', 'agenda', id, at ?? 'next'] as const,
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
/** Every policy version, newest first. */
export function usePolicyHistory() {
  return useQuery({
    queryKey: keys.policyHistory,
    queryFn: () => api<PolicyHistory>('GET', '/policy/history'),
  });
}

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

/** Insights for a period and filters: `GET /insights`. Read again on a visit, not on every change. */
export function useInsights(params: InsightsFilterParams) {
  return useQuery({
    queryKey: keys.insights(params),
    queryFn: () => api<Insights>('GET', `/insights${query({ ...params })}`),
    placeholderData: (previous) => previous,
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

/** The seed's clock; keyed by the change's version, so every action that moves the change reads it again. */
export function useChangeClock(id: string, version: number) {
  return useQuery({
    queryKey: keys.clock(id, version),
    queryFn: () => api<ChangeClock>('GET', `/changes/${encodeURIComponent(id)}/clock`),
  });
}

export function createChange(body: NewChange): Promise<Change> {
  return api<Change>('POST', '/changes', body);
}

/** An edit of the change at `edit.version`; an answer set to null is removed. */
export function editChange(id: string, edit: ChangeEdit): Promise<Change> {
  return api<Change>('PATCH', `/changes/${encodeURIComponent(id)}`, edit);
}

export function submitChange(id: string, version: number): Promise<Change> {
  return api<Change>('POST', `/changes/${encodeURIComponent(id)}/submit`, { version });
}

/** Forgets the change as read, so the page shows it as it is now. */
export function reloadChange(client: QueryClient, id: string): Promise<void> {
  return client.invalidateQueries({ queryKey: keys.change(id) });
}

/** After any action, the change, its timeline and every list may have moved. */
export function refreshChange(client: QueryClient, change: Change): void {
  client.setQueryData(keys.change(change.id), change);
  void client.invalidateQueries({ queryKey: keys.changes });
}

export function useChangeAction(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({
      action,
      comment,
      onBehalfOf,
    }: {
      action: string;
      comment?: string;
      /** Deciding as a stand-in: whose decision it is. */
      onBehalfOf?: string;
    }) =>
      api<Change>('POST', `/changes/${encodeURIComponent(id)}/${action}`, {
        ...(comment && { comment }),
        ...(onBehalfOf && { onBehalfOf }),
      }),
    onSuccess: (change) => refreshChange(client, change),
  });
}

/** Everyone in the policy, with who is away now and who decides for them. */
export function usePeopleStatus() {
  return useQuery({
    queryKey: keys.people,
    queryFn: () => api<{ items: PersonStatus[] }>('GET', '/people'),
    staleTime: 60_000,
    select: (data) => data.items,
  });
}

/** The meetings that remain: each with its next sittings' agendas and how its last sitting went. */
export function useMeetings(options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: keys.meetings,
    queryFn: () => api<{ items: Meeting[] }>('GET', '/meetings'),
    select: (data) => data.items,
    staleTime: 30_000,
    enabled: options.enabled ?? true,
  });
}

/** One sitting's agenda (`at`: its start), by default the next sitting not over. */
export function useAgenda(id: string, at: string | undefined, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: keys.agenda(id, at),
    queryFn: () => api<Agenda>('GET', `/meetings/${encodeURIComponent(id)}/agenda${query({ at })}`),
    enabled: options.enabled ?? true,
  });
}

/** E-mails the next sitting's agenda to its attendees now (an attendee or an admin). */
export function useSendAgenda(id: string) {
  return useMutation({
    mutationFn: () =>
      api<{ meeting: string; sitting: string; recipients: string[] }>(
        'POST',
        `/meetings/${encodeURIComponent(id)}/agenda/send`,
      ),
  });
}

/** Records a meeting's outcome on a change (an attendee); the agendas and the change move with it. */
export function useDiscussion(changeId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewDiscussion) =>
      api<Change>('POST', `/changes/${encodeURIComponent(changeId)}/discussions`, body),
    // The change's timeline, the lists and every agenda sit under `changes`.
    onSuccess: (change) => refreshChange(client, change),
  });
}

/** Files a change's post-implementation review (its requester, or someone who may verify it). */
export function useFileReview(changeId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { answers: Record<string, string | number | boolean>; version: number }) =>
      api<Change>('POST', `/changes/${encodeURIComponent(changeId)}/review`, body),
    onSuccess: (change) => refreshChange(client, change),
  });
}

/** Records the signed-in person's absence (`until` and the rest as the API takes them), or ends it (`null`). */
export function useMyAbsence() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (
      absence: { until: string; delegate?: string; note?: string } | null,
    ): Promise<PersonStatus> =>
      absence
        ? api<PersonStatus>('PUT', '/people/me/absence', absence)
        : api<PersonStatus>('DELETE', '/people/me/absence'),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.people });
      // Who may decide what has moved: every change as shown may have too.
      void client.invalidateQueries({ queryKey: keys.changes });
    },
  });
}

export function useComment(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, question }: { body: string; question?: boolean }) =>
      api<TimelineEvent>('POST', `/changes/${encodeURIComponent(id)}/comments`, {
        body,
        ...(question && { question: true }),
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.events(id) }),
  });
}

/** A calendar feed link for the signed-in person; a new one turns the previous one off. */
export function useCalendarFeed() {
  return useMutation({
    mutationFn: () => api<{ url: string; createdAt: string }>('POST', '/calendar/feed', {}),
  });
}

/** Asks for a sign-in link by e-mail; the answer is the same whether or not the address is known. */
export function requestSignInLink(email: string): Promise<void> {
  return api<undefined>('POST', '/auth/email', { email });
}

/** Spends a sign-in link for a session, which becomes the app's session at once. */
export async function redeemSignInLink(client: QueryClient, token: string): Promise<Session> {
  const session = await api<Session>('POST', '/auth/email/verify', { token });
  setCsrfToken(session.csrfToken);
  client.setQueryData(keys.session, session);
  return session;
}

/** Demo mode: what would have been sent, newest first, looked at again every few seconds. */
export function useDemoInbox() {
  return useQuery({
    queryKey: keys.demoInbox,
    queryFn: () => api<DemoInbox>('GET', '/demo/inbox'),
    refetchInterval: 3_000,
  });
}

/** Demo mode: a message that waits for its recipient's working hours goes out now. */
export function useSendNow() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api<undefined>('POST', `/demo/inbox/${encodeURIComponent(id)}/send`, {}),
    // The dispatcher sends it within a moment; look again shortly after.
    onSuccess: () =>
      setTimeout(() => void client.invalidateQueries({ queryKey: keys.demoInbox }), 500),
  });
}

/** Demo mode: signs in as one of the example's people, without a link. */
export async function signInAsDemoPerson(client: QueryClient, person: string): Promise<Session> {
  const session = await api<Session>('POST', '/auth/demo', { person });
  setCsrfToken(session.csrfToken);
  client.setQueryData(keys.session, session);
  return session;
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
