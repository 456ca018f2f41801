import { useState } from 'react';
import { useDemoInbox, useSendNow } from '../api/queries.js';
import type { DemoInbox, DemoMessage } from '../api/types.js';
import { ErrorState, Loading, PageHeading } from '../components/ui.js';
import { formatDateTime } from '../lib/format.js';
import { Link } from '../lib/router.js';

const KIND_LABEL: Record<DemoMessage['kind'], string> = {
  email: 'E-mail',
  teams: 'Teams',
  slack: 'Slack',
  webhook: 'Webhook',
};

/**
 * Demo mode: what Changeboard would have sent, as each recipient would see it.
 * E-mails keep their live Approve and Reject links, so a newcomer can decide from one.
 */
export function DemoInboxPage() {
  const inbox = useDemoInbox();
  const [openId, setOpenId] = useState<string | null>(null);
  if (inbox.isPending) return <Loading label="Loading the demo inbox" lines={6} />;
  if (inbox.isError)
    return (
      <div className="page narrow">
        <ErrorState error={inbox.error} retry={() => void inbox.refetch()} />
      </div>
    );
  const { items, scheduled } = inbox.data;
  const open = items.find((m) => m.id === openId) ?? items[0];
  return (
    <div className="page demo-inbox">
      <PageHeading title="Demo inbox">Demo inbox</PageHeading>
      <p className="muted lead">
        Demo mode sends nothing: every e-mail, Teams and Slack message Changeboard would have sent
        is kept here, newest first, until the server stops. Open an approval request and press
        Approve to decide from the e-mail. <Link href="/">Back to the board</Link>
      </p>
      {scheduled.length > 0 ? <Scheduled messages={scheduled} /> : null}
      {items.length === 0 ? (
        <p className="empty">
          Nothing yet. Submit a change, or ask for a sign-in link on the sign-in page, and the
          messages appear here.
        </p>
      ) : (
        <div className="inbox">
          <ul className="inbox-list" aria-label="Messages">
            {items.map((message) => (
              <li key={message.id}>
                <button
                  type="button"
                  className={`inbox-item${message.id === open?.id ? ' is-open' : ''}`}
                  aria-current={message.id === open?.id ? 'true' : undefined}
                  onClick={() => setOpenId(message.id)}
                >
                  <span className="inbox-kind">{KIND_LABEL[message.kind]}</span>
                  <span className="inbox-to">{message.to}</span>
                  <span className="inbox-subject">{message.subject}</span>
                  <span className="inbox-at muted small">{formatDateTime(message.at)}</span>
                </button>
              </li>
            ))}
          </ul>
          {open ? <OpenMessage message={open} /> : null}
        </div>
      )}
    </div>
  );
}

/** Messages that wait for their recipient's working hours, as they would outside the demo. */
function Scheduled({ messages }: { messages: DemoInbox['scheduled'] }) {
  const sendNow = useSendNow();
  return (
    <section className="inbox-scheduled" aria-labelledby="scheduled-title">
      <h2 id="scheduled-title" className="section-title">
        Waiting for working hours
      </h2>
      <p className="muted small">
        Approval requests wait for their approver’s working hours (emergencies do not). In the demo
        you need not wait.
      </p>
      <ul>
        {messages.map((message) => (
          <li key={message.id}>
            <span>
              <strong>{message.about}</strong> to {message.to}, at{' '}
              {formatDateTime(message.notBefore)}
            </span>
            <button
              type="button"
              className="button"
              disabled={sendNow.isPending}
              onClick={() => sendNow.mutate(message.id)}
            >
              Send now
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function OpenMessage({ message }: { message: DemoMessage }) {
  return (
    <article className="inbox-message" aria-label={message.subject}>
      <header className="inbox-message-head">
        <h2>{message.subject}</h2>
        <p className="muted small">
          {KIND_LABEL[message.kind]} to {message.to} · {formatDateTime(message.at)}
        </p>
      </header>
      {message.kind === 'email' ? (
        <iframe
          title={`E-mail: ${message.subject}`}
          className="inbox-email"
          src={`/api/v1/demo/inbox/${encodeURIComponent(message.id)}/email`}
          sandbox="allow-top-navigation-by-user-activation allow-popups"
        />
      ) : message.kind === 'teams' ? (
        <TeamsCard message={message.body} />
      ) : message.kind === 'slack' ? (
        <SlackMessage message={message.body} />
      ) : (
        <pre className="inbox-json">{JSON.stringify(message.body, null, 2)}</pre>
      )}
    </article>
  );
}

interface Fact {
  readonly title: string;
  readonly value: string;
}

/** An Adaptive Card as Teams lays it out: its text blocks, its facts and its buttons. */
function TeamsCard({ message }: { message: unknown }) {
  const card = (message as { attachments?: { content?: AdaptiveCard }[] }).attachments?.[0]
    ?.content;
  const blocks = card?.body ?? [];
  return (
    <div className="chat-card chat-card-teams">
      {blocks.map((block, i) =>
        block.type === 'TextBlock' ? (
          <p key={i} className={block.weight === 'Bolder' ? 'chat-card-title' : undefined}>
            {unescapeMarkdown(block.text ?? '')}
          </p>
        ) : block.type === 'FactSet' ? (
          <Facts
            key={i}
            facts={(block.facts ?? []).map((f) => ({ ...f, value: unescapeMarkdown(f.value) }))}
          />
        ) : null,
      )}
      <Buttons
        buttons={(card?.actions ?? []).map((a) => ({ title: a.title ?? '', url: a.url ?? '' }))}
      />
    </div>
  );
}

interface AdaptiveCard {
  body?: { type: string; text?: string; weight?: string; facts?: Fact[] }[];
  actions?: { title?: string; url?: string }[];
}

interface SlackBlock {
  type: string;
  text?: { text?: string };
  fields?: { text?: string }[];
  elements?: { text?: string | { text?: string }; url?: string }[];
}

/** A Block Kit message as Slack lays it out: header, the section with its fields, context, buttons. */
function SlackMessage({ message }: { message: unknown }) {
  const blocks = (message as { blocks?: SlackBlock[] }).blocks ?? [];
  return (
    <div className="chat-card chat-card-slack">
      {blocks.map((block, i) => {
        switch (block.type) {
          case 'header':
            return (
              <p key={i} className="chat-card-title">
                {block.text?.text}
              </p>
            );
          case 'section':
            return (
              <div key={i}>
                {block.text?.text ? <p>{slackText(block.text.text)}</p> : null}
                <Facts
                  facts={(block.fields ?? []).map((field) => {
                    const [title = '', ...rest] = (field.text ?? '').split('\n');
                    return {
                      title: title.replace(/^\*|\*$/g, ''),
                      value: unescapeSlack(rest.join('\n')),
                    };
                  })}
                />
              </div>
            );
          case 'context':
            return (
              <p key={i} className="muted small">
                {(block.elements ?? [])
                  .map((e) => unescapeSlack(typeof e.text === 'string' ? e.text : ''))
                  .join(' ')}
              </p>
            );
          case 'actions':
            return (
              <Buttons
                key={i}
                buttons={(block.elements ?? []).map((e) => ({
                  title: typeof e.text === 'object' ? (e.text.text ?? '') : '',
                  url: e.url ?? '',
                }))}
              />
            );
          default:
            return null;
        }
      })}
    </div>
  );
}

function Facts({ facts }: { facts: readonly Fact[] }) {
  return (
    <dl className="chat-card-facts">
      {facts.map((fact) => (
        <div key={fact.title}>
          <dt>{fact.title}</dt>
          <dd>{fact.value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Buttons({ buttons }: { buttons: readonly { title: string; url: string }[] }) {
  return (
    <p className="chat-card-actions">
      {buttons.map((button) => (
        <a key={button.url + button.title} className="button" href={button.url}>
          {button.title}
        </a>
      ))}
    </p>
  );
}

/** Slack's `*<url|text>*` link, shown as the link it is. */
function slackText(text: string) {
  const link = /^\*?<([^|>]+)\|([^>]*)>\*?$/.exec(text);
  if (!link) return unescapeSlack(text);
  return <a href={link[1]}>{unescapeSlack(link[2] ?? '')}</a>;
}

function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function unescapeMarkdown(text: string): string {
  return text.replace(/\\([\\`*_{}[\]()#+\-.!|>~<])/g, '$1');
}
