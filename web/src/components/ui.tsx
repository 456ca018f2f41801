import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError } from '../api/client.js';
import { usePolicy } from '../api/queries.js';
import type { ChangeState } from '../api/types.js';
import { STATE_LABELS } from '../lib/format.js';

export function StateBadge({ state }: { state: ChangeState }) {
  return <span className={`badge state-${state}`}>{STATE_LABELS[state]}</span>;
}

export function Chip({ children, tone }: { children: ReactNode; tone?: string }) {
  return <span className={`chip${tone ? ` chip-${tone}` : ''}`}>{children}</span>;
}

/** The risk answer with its colour, when the policy asks for one. */
export function RiskChip({ value }: { value: unknown }) {
  if (typeof value !== 'string') return null;
  return <Chip tone={`risk-${value}`}>{value} risk</Chip>;
}

/** People by id → name, from the policy. */
export function usePeople(): (id: string) => string {
  const policy = usePolicy();
  return (id: string) => policy.data?.people.find((p) => p.id === id)?.name ?? id;
}

/** Services by id → name, from the policy: people read "Payments API", not `payments`. */
export function useServiceNames(): (id: string) => string {
  const policy = usePolicy();
  return (id: string) => policy.data?.services.find((s) => s.id === id)?.name ?? id;
}

export function PersonName({ id }: { id: string }) {
  const name = usePeople()(id);
  return <span title={id}>{name}</span>;
}

/**
 * The page's heading. After in-app navigation focus moves here, so a screen
 * reader announces the new page and the keyboard starts from its top.
 */
let initialPage = true;

export function PageHeading({ children, title }: { children: ReactNode; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Changeboard`;
    // The first page keeps the browser's own focus; later ones take it, like a page load would.
    if (initialPage) {
      initialPage = false;
      return;
    }
    ref.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1} className="page-heading" id="page-heading">
      {children}
    </h1>
  );
}

export function EmptyState({
  title,
  children,
  icon = '○',
}: {
  title: string;
  children?: ReactNode;
  icon?: string;
}) {
  return (
    <div className="empty">
      <div className="empty-icon" aria-hidden="true">
        {icon}
      </div>
      <p className="empty-title">{title}</p>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const message =
    error instanceof ApiError
      ? error.status === 404
        ? 'It does not exist, or it was never created.'
        : error.message
      : 'Something went wrong while loading this.';
  return (
    <div className="error-state" role="alert">
      <p className="error-title">
        {error instanceof ApiError && error.status === 404 ? 'Not found' : 'Could not load this'}
      </p>
      <p>{message}</p>
      {retry ? (
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** Grey placeholders in the shape of what is coming; announced once to screen readers. */
export function Loading({ label = 'Loading', lines = 3 }: { label?: string; lines?: number }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="visually-hidden">{label}…</span>
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className="skeleton" aria-hidden="true" />
      ))}
    </div>
  );
}

export function Banner({
  tone,
  title,
  children,
}: {
  tone: 'warning' | 'danger' | 'info' | 'success';
  title: string;
  children?: ReactNode;
}) {
  return (
    <div className={`banner banner-${tone}`} role={tone === 'danger' ? 'alert' : 'note'}>
      <strong>{title}</strong>
      {children ? <div>{children}</div> : null}
    </div>
  );
}
