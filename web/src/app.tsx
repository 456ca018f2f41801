import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect } from 'react';
import { whenUnauthenticated } from './api/client.js';
import { keys, usePolicy, useSession, useSignInMethods, useSignOut } from './api/queries.js';
import type { Session } from './api/types.js';
import { PersonMenu } from './components/away.js';
import { ErrorState, Loading } from './components/ui.js';
import { useLiveUpdates, type LiveStatus } from './lib/live.js';
import { Link, matchPath, useLocation } from './lib/router.js';
import { AgendaPage } from './pages/agenda.js';
import { BoardPage } from './pages/board.js';
import { CalendarPage } from './pages/calendar.js';
import { ChangeFormPage } from './pages/change-form/index.js';
import { ChangePage } from './pages/change-page.js';
import { DemoInboxPage } from './pages/demo-inbox.js';
import { MeetingsPage } from './pages/meetings.js';
import { PolicyHistoryPage } from './pages/policy-history.js';
import { NotFoundPage } from './pages/not-found.js';
import { SignInLinkPage, SignInPage } from './pages/sign-in.js';

// Its own chunk, with the charting library: the board does not load it.
const InsightsPage = lazy(() =>
  import('./pages/insights/index.js').then((m) => ({ default: m.InsightsPage })),
);

export function App() {
  const { path } = useLocation();
  const session = useSession();
  const client = useQueryClient();
  useEffect(() => {
    whenUnauthenticated(() => void client.invalidateQueries({ queryKey: keys.session }));
  }, [client]);

  if (path === '/sign-in/link') return <SignInLinkPage />;
  // Demo mode: the inbox holds the sign-in links, so it opens signed in or not.
  if (path === '/demo/inbox' && !session.data)
    return (
      <main id="main" className="main">
        <DemoInboxPage />
      </main>
    );
  if (session.isPending) return <Loading label="Loading Changeboard" />;
  if (session.isError) {
    if (path === '/sign-in' || isUnauthenticated(session.error)) return <SignInPage />;
    return (
      <main className="page narrow">
        <ErrorState error={session.error} retry={() => void session.refetch()} />
      </main>
    );
  }
  return <SignedIn session={session.data} path={path} />;
}

function isUnauthenticated(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { status?: number }).status === 401
  );
}

function SignedIn({ session, path }: { session: Session; path: string }) {
  const live = useLiveUpdates(true);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header session={session} path={path} live={live} />
      <main id="main" className="main">
        <Route path={path} />
      </main>
    </>
  );
}

function Route({ path }: { path: string }) {
  if (path === '/' || path === '/sign-in') return <BoardPage />;
  if (path === '/calendar') return <CalendarPage />;
  if (path === '/meetings') return <MeetingsPage />;
  if (path === '/policy/history') return <PolicyHistoryPage />;
  if (path === '/insights')
    return (
      <Suspense fallback={<Loading label="Loading insights" />}>
        <InsightsPage />
      </Suspense>
    );
  const meeting = matchPath('/meetings/:id', path);
  if (meeting?.id) return <AgendaPage id={meeting.id} />;
  if (path === '/demo/inbox') return <DemoInboxPage />;
  if (path === '/changes/new') return <ChangeFormPage />;
  const edit = matchPath('/changes/:id/edit', path);
  if (edit?.id) return <ChangeFormPage id={edit.id} />;
  const change = matchPath('/changes/:id', path);
  if (change?.id) return <ChangePage id={change.id} />;
  return <NotFoundPage />;
}

const LIVE_LABEL: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  offline: 'Reconnecting…',
};

function Header({ session, path, live }: { session: Session; path: string; live: LiveStatus }) {
  const signOut = useSignOut();
  const demoInbox = useSignInMethods().data?.demo?.inbox;
  const hasMeetings = (usePolicy().data?.meetings.length ?? 0) > 0;
  const current = (href: string) =>
    (href === '/' ? path === '/' : path.startsWith(href)) ? ('page' as const) : undefined;
  return (
    <header className="topbar">
      <Link href="/" className="brand" aria-label="Changeboard, the board">
        <span className="brand-mark" aria-hidden="true" />
        Changeboard
      </Link>
      <nav aria-label="Main" className="topnav">
        <Link href="/" aria-current={current('/')}>
          Board
        </Link>
        <Link href="/calendar" aria-current={current('/calendar')}>
          Calendar
        </Link>
        {hasMeetings ? (
          <Link href="/meetings" aria-current={current('/meetings')}>
            Meetings
          </Link>
        ) : null}
        <Link href="/policy/history" aria-current={current('/policy')}>
          Policy
        </Link>
        <Link href="/insights" aria-current={current('/insights')}>
          Insights
        </Link>
        {demoInbox ? (
          <Link href="/demo/inbox" aria-current={current('/demo/inbox')}>
            Demo inbox
          </Link>
        ) : null}
      </nav>
      <div className="topbar-end">
        <span className={`live live-${live}`} title="Updates arrive as they happen">
          <span className="live-dot" aria-hidden="true" />
          {LIVE_LABEL[live]}
        </span>
        <Link href="/changes/new" className="button button-primary">
          New change
        </Link>
        <PersonMenu session={session} signOut={() => signOut.mutate()} />
      </div>
    </header>
  );
}
