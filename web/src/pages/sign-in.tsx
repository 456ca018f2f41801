import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api/client.js';
import { redeemSignInLink, requestSignInLink, useSignInMethods } from '../api/queries.js';
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
