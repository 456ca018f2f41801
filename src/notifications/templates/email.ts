import type { ChangeSummary } from './summary.js';
import { formatInstant } from '../../shared/format-instant.js';

export interface EmailSection {
  readonly headline: string;
  /** Absent for a sign-in link, which is about no change. */
  readonly summary?: ChangeSummary;
  readonly comment?: string | null;
  /** What the comment is, when it is what the message is about ("Question"); "Comment" otherwise. */
  readonly commentLabel?: string;
  /** Approve / reject links for this recipient, on approval requests and reminders. */
  readonly actions?: {
    readonly approve: string;
    readonly reject: string;
    readonly expiresAt: string;
  };
  /**
   * An external approver's link: the one way they see and decide the change. Their
   * mail has no link into the board, which they cannot open.
   */
  readonly external?: { readonly url: string; readonly expiresAt: string };
  /** A sign-in link: always a mail of its own, never part of a digest. */
  readonly signIn?: { readonly url: string; readonly validMinutes: number };
  /** Show the answers in full (approval requests: the approver decides from the mail). */
  readonly detailed: boolean;
}

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** One section is one message; several (a working-hours digest) become one mail. */
export function renderEmail(
  recipientName: string,
  sections: readonly EmailSection[],
  organization: string,
): RenderedEmail {
  const subject =
    sections.length === 1 ? sections[0]!.headline : `${sections.length} updates from Changeboard`;
  const intro =
    sections.length === 1
      ? ''
      : `Here is what happened while you were away (${sections.length} updates).`;
  const text = [
    `Hello ${recipientName},`,
    ...(intro ? ['', intro] : []),
    ...sections.flatMap((section) => ['', ...sectionText(section, organization)]),
    '',
    `— Changeboard for ${organization}`,
  ].join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f6f7f9;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2328">
<div style="max-width:640px;margin:0 auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:24px">
<p style="margin:0 0 16px">Hello ${escapeHtml(recipientName)},</p>
${intro ? `<p>${escapeHtml(intro)}</p>` : ''}
${sections.map((section) => sectionHtml(section, organization)).join('\n<hr style="border:none;border-top:1px solid #d0d7de;margin:24px 0">\n')}
<p style="margin:24px 0 0;color:#656d76;font-size:12px">Changeboard for ${escapeHtml(organization)}</p>
</div></body></html>`;
  return { subject, text, html };
}

function sectionText(section: EmailSection, organization: string): string[] {
  if (section.signIn)
    return [
      section.headline,
      '',
      `Open this link to sign in to Changeboard (${organization}). It works once, for ${section.signIn.validMinutes} minutes:`,
      '',
      section.signIn.url,
      '',
      SIGN_IN_FOOTNOTE,
    ];
  const s = section.summary!;
  const lines = [section.headline, `${s.id} · ${s.title}`, ''];
  lines.push(
    `Requester: ${s.requester}`,
    `Services: ${s.services}`,
    `Type: ${s.type}`,
    `State: ${s.state}`,
  );
  if (s.risk) lines.push(`Risk: ${s.risk}`);
  if (s.planned) lines.push(`Planned: ${s.planned}`);
  if (section.comment) lines.push('', `${section.commentLabel ?? 'Comment'}: ${section.comment}`);
  if (s.stillNeeded.length) lines.push(`Still needed: ${s.stillNeeded.join('; ')}`);
  lines.push(...s.conflicts);
  if (section.detailed) {
    if (s.description) lines.push('', s.description);
    if (s.answers.length) lines.push('', ...s.answers.map((a) => `${a.label} ${a.value}`));
    if (s.links.length) lines.push('', ...s.links.map((l) => `${l.title}: ${l.url}`));
  }
  if (section.actions) {
    lines.push(
      '',
      `Approve: ${section.actions.approve}`,
      `Reject:  ${section.actions.reject}`,
      `(These links work once, until ${formatInstant(section.actions.expiresAt)}, and ask you to confirm.)`,
    );
  }
  if (section.external) {
    lines.push(
      '',
      `Review and decide: ${section.external.url}`,
      `(${externalNote(section.external.expiresAt)})`,
    );
    return lines;
  }
  lines.push('', `Open the change: ${s.url}`);
  return lines;
}

function sectionHtml(section: EmailSection, organization: string): string {
  if (section.signIn)
    return [
      `<h2 style="font-size:18px;margin:0 0 12px">${escapeHtml(section.headline)}</h2>`,
      `<p>Open this link to sign in to Changeboard (${escapeHtml(organization)}). It works once, for ${section.signIn.validMinutes} minutes:</p>`,
      `<p><a href="${escapeAttr(section.signIn.url)}">Sign in to Changeboard</a></p>`,
      `<p>${escapeHtml(SIGN_IN_FOOTNOTE)}</p>`,
    ].join('\n');
  const s = section.summary!;
  const facts: [string, string][] = [
    ['Requester', s.requester],
    ['Services', s.services],
    ['Type', s.type],
    ['State', s.state],
    ...(s.risk ? ([['Risk', s.risk]] as [string, string][]) : []),
    ...(s.planned ? ([['Planned', s.planned]] as [string, string][]) : []),
    ...(s.stillNeeded.length
      ? ([['Still needed', s.stillNeeded.join('; ')]] as [string, string][])
      : []),
    ...(s.conflicts.length ? ([['Conflicts', s.conflicts.join('; ')]] as [string, string][]) : []),
  ];
  const detailed = section.detailed
    ? `${s.description ? `<div style="white-space:pre-wrap;margin:16px 0;padding:12px;background:#f6f8fa;border-radius:6px">${escapeHtml(s.description)}</div>` : ''}
${s.answers.length ? `<table role="presentation" style="border-collapse:collapse;width:100%;margin:12px 0">${s.answers.map((a) => `<tr><td style="padding:6px 8px;border-bottom:1px solid #eaeef2;color:#656d76;vertical-align:top">${escapeHtml(a.label)}</td><td style="padding:6px 8px;border-bottom:1px solid #eaeef2">${linkify(a.value)}</td></tr>`).join('')}</table>` : ''}
${s.links.length ? `<p>${s.links.map((l) => `<a href="${escapeAttr(l.url)}">${escapeHtml(l.title)}</a>`).join(' · ')}</p>` : ''}`
    : '';
  const button = (href: string, label: string, colour: string) =>
    `<a href="${escapeAttr(href)}" style="display:inline-block;padding:10px 18px;margin:0 8px 8px 0;border-radius:6px;background:${colour};color:#fff;text-decoration:none;font-weight:600">${label}</a>`;
  const actions = section.actions
    ? `<p style="margin:20px 0 4px">${button(section.actions.approve, 'Approve', '#1a7f37')}${button(section.actions.reject, 'Reject', '#cf222e')}</p>
<p style="margin:0;color:#656d76;font-size:12px">Each link works once, until ${escapeHtml(formatInstant(section.actions.expiresAt))}, and asks you to confirm.</p>`
    : '';
  if (section.external)
    return `<h2 style="font-size:18px;margin:0 0 4px">${escapeHtml(section.headline)}</h2>
<p style="margin:0 0 12px">${escapeHtml(`${s.id} · ${s.title}`)}</p>
<table role="presentation" style="border-collapse:collapse">${facts.map(([k, v]) => `<tr><td style="padding:2px 12px 2px 0;color:#656d76">${k}</td><td style="padding:2px 0">${escapeHtml(v)}</td></tr>`).join('')}</table>
${detailed}
<p style="margin:20px 0 4px">${button(section.external.url, 'Review and decide', '#0969da')}</p>
<p style="margin:0;color:#656d76;font-size:12px">${escapeHtml(externalNote(section.external.expiresAt))}</p>`;
  return `<h2 style="font-size:18px;margin:0 0 4px">${escapeHtml(section.headline)}</h2>
<p style="margin:0 0 12px"><a href="${escapeAttr(s.url)}" style="color:#0969da">${escapeHtml(`${s.id} · ${s.title}`)}</a></p>
<table role="presentation" style="border-collapse:collapse">${facts.map(([k, v]) => `<tr><td style="padding:2px 12px 2px 0;color:#656d76">${k}</td><td style="padding:2px 0">${escapeHtml(v)}</td></tr>`).join('')}</table>
${section.comment ? `${section.commentLabel ? `<p style="margin:12px 0 0;font-weight:600">${escapeHtml(section.commentLabel)}</p>` : ''}<blockquote style="margin:12px 0;padding:8px 12px;border-left:3px solid #d0d7de;color:#1f2328;white-space:pre-wrap">${escapeHtml(section.comment)}</blockquote>` : ''}
${detailed}
${actions}
<p style="margin:16px 0 0"><a href="${escapeAttr(s.url)}" style="color:#0969da">Open the change</a></p>`;
}

function externalNote(expiresAt: string): string {
  return `This link is for you alone. It opens this change, lets you approve or reject it once, and works until ${formatInstant(expiresAt)}.`;
}

const SIGN_IN_FOOTNOTE =
  'If you did not ask for it, ignore this e-mail: nobody can sign in without the link.';

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function escapeAttr(url: string): string {
  return /^https?:\/\//.test(url) ? escapeHtml(url) : '#';
}

function linkify(value: string): string {
  return /^https?:\/\/\S+$/.test(value)
    ? `<a href="${escapeAttr(value)}">${escapeHtml(value)}</a>`
    : escapeHtml(value);
}
