import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api/client.js';
import {
  redeemSignInLink,
  requestSignInLink,
  signInAsDemoPerson,
  useSignInMethods,
} from '../api/queries.js';
import { Banner, PageHeading } from '../components/ui.js';
import { Link, navigate, useLocation } from '../lib/router.js';

export function SignInPage() {
  const { search, path } = useLocation();
  const methods = useSignInMethods();
  const [email, setEmail] = useState('');
  const [state, setState] = useState<'idle' | 'sending' | 'sent'>('idle');
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const returnTo = path === '/sign-in' ? '/' : `${path}${window.location.search}`;
  const providerError = search.get('error');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email.includes('@')) {
      setError('Enter your work e-mail address, like name@example.com.');
      inputRef.current?.focus();
      return;
    }
    setError(null);
    setState('sending');
    try {
      await requestSignInLink(email);
      setState('sent');
    } catch (caught) {
      setState('idle');
      setError(caught instanceof ApiError ? caught.message : 'Could not send the link; try again.');
    }
  };

  return (
    <AuthCard title="Sign in">
      {providerError ? (
        <Banner tone="danger" title="Single sign-on failed">
          {providerError}
        </Banner>
      ) : null}
      {state === 'sent' ? (
        <div role="status" className="auth-sent">
          <p className="auth-sent-title">Check your inbox</p>
          <p>
            If <strong>{email}</strong> belongs to someone on this board, a sign-in link is on its
            way. It works once, for 15 minutes.
          </p>
          {methods.data?.demo?.inbox ? (
            <p>
              This is the demo: nothing is e-mailed. The link is in the{' '}
              <Link href="/demo/inbox">demo inbox</Link>.
            </p>
          ) : null}
          <button type="button" className="button" onClick={() => setState('idle')}>
            Use another address
          </button>
        </div>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate className="stack">
          <p className="muted">We e-mail you a link that signs you in. No password needed.</p>
          <div className="field">
            <label htmlFor="email">Work e-mail</label>
            <input
              ref={inputRef}
              id="email"
              type="email"
              autoComplete="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'email-error' : undefined}
              required
            />
            {error ? (
              <p id="email-error" className="field-error">
                {error}
              </p>
            ) : null}
          </div>
          <button
            type="submit"
            className="button button-primary button-block"
            disabled={state === 'sending'}
          >
            {state === 'sending' ? 'Sending…' : 'E-mail me a sign-in link'}
          </button>
        </form>
      )}
      {methods.data?.demo ? (
        <DemoPeople people={methods.data.demo.people} inbox={methods.data.demo.inbox} />
      ) : null}
      {methods.data?.oidc ? (
        <>
          <div className="divider" role="separator">
            <span>or</span>
          </div>
          <a
            className="button button-block"
            href={`/api/v1/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`}
          >
            Sign in with single sign-on
          </a>
        </>
      ) : null}
    </AuthCard>
  );
}

/** Demo mode: the example's people, one click each, and where the e-mails are kept. */
function DemoPeople({
  people,
  inbox,
}: {
  people: readonly { id: string; name: string; groups: readonly string[] }[];
  inbox: boolean;
}) {
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const signInAs = async (id: string) => {
    try {
      await signInAsDemoPerson(client, id);
      navigate('/', { replace: true });
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Could not sign in; try again.');
    }
  };
  return (
    <section className="demo-people" aria-labelledby="demo-people-title">
      <div className="divider" role="separator">
        <span>or, in this demo</span>
      </div>
      <h2 id="demo-people-title" className="demo-people-title">
        Sign in as someone of the example
      </h2>
      <p className="muted small">
        The example policy’s people, each in the groups that approve changes.
        {inbox ? (
          <>
            {' '}
            E-mail is not sent in the demo: sign-in links and approval requests are in the{' '}
            <Link href="/demo/inbox">demo inbox</Link>.
          </>
        ) : null}
      </p>
      {error ? (
        <Banner tone="danger" title="Not signed in">
          {error}
        </Banner>
      ) : null}
      <ul className="demo-people-list">
        {people.map((person) => (
          <li key={person.id}>
            <button
              type="button"
              className="button button-block"
              onClick={() => void signInAs(person.id)}
            >
              <span>{person.name}</span>
              <span className="muted small">{person.groups.join(', ') || 'requester'}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Where an e-mailed link lands. Signing in takes a click, so mail scanners that open links cannot use it up. */
export function SignInLinkPage() {
  const client = useQueryClient();
  const { hash } = useLocation();
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  const [state, setState] = useState<'idle' | 'working' | 'failed'>('idle');
  const [message, setMessage] = useState('');

  const signIn = async () => {
    if (!token) return;
    setState('working');
    try {
      await redeemSignInLink(client, token);
      navigate('/', { replace: true });
    } catch (caught) {
      setState('failed');
      setMessage(caught instanceof ApiError ? caught.message : 'Could not sign you in; try again.');
    }
  };

  return (
    <AuthCard title="Finish signing in">
      {!token ? (
        <Banner tone="danger" title="This link is incomplete">
          Copy the whole link from the e-mail, or <Link href="/sign-in">ask for a new one</Link>.
        </Banner>
      ) : state === 'failed' ? (
        <Banner tone="danger" title="That did not work">
          <p>{message}</p>
          <p>
            <Link href="/sign-in">Get a new sign-in link</Link>
          </p>
        </Banner>
      ) : (
        <div className="stack">
          <p className="muted">Continue to open your board. The link then stops working.</p>
          <button
            type="button"
            className="button button-primary button-block"
            onClick={() => void signIn()}
            disabled={state === 'working'}
          >
            {state === 'working' ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      )}
    </AuthCard>
  );
}

/** The centred card both sign-in pages are drawn on. */
function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main id="main" className="auth">
      <div className="auth-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Changeboard
        </div>
        <PageHeading title={title}>{title}</PageHeading>
        {children}
      </div>
    </main>
  );
}
