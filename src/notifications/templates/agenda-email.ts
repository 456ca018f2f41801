import type { AgendaJson } from '../../http/contract/index.js';
import { formatInstant, formatInZone } from '../../shared/format-instant.js';
import { escapeHtml, type RenderedEmail } from './email.js';

/**
 * A sitting's agenda by e-mail. An attendee of the organisation gets the agenda
 * page, where outcomes are recorded; an external attendee (a supplier's CAB),
 * who never signs in, gets one signed link per change instead.
 */
export function renderAgendaEmail(input: {
  readonly recipientName: string;
  readonly organization: string;
  readonly agenda: AgendaJson;
  /** External attendees: the link that records their meeting's outcome, per change id. */
  readonly outcomeLinks?: ReadonlyMap<string, string>;
  readonly linksExpireAt?: string;
}): RenderedEmail {
  const { agenda, outcomeLinks } = input;
  const zone = agenda.timezone ?? 'UTC';
  const when = agenda.sitting ? `${formatInZone(agenda.sitting.start, zone)} (${zone})` : '';
  const count = agenda.items.length;
  const subject = `Agenda: ${agenda.meeting.name}${when ? `, ${when}` : ''}: ${count} change${count === 1 ? '' : 's'}`;
  const intro = `${count} change${count === 1 ? '' : 's'} wait${count === 1 ? 's' : ''} for this meeting${agenda.meeting.hold ? ', and cannot be approved before its outcome is recorded' : ''}.`;
  const how = outcomeLinks
    ? `Record your meeting's outcome on each change with its own link. Each link is for you alone, works once${input.linksExpireAt ? `, until ${formatInstant(input.linksExpireAt)}` : ''}, and asks you to confirm.`
    : `Record each outcome on the agenda page: ${agenda.links.page}`;

  const itemText = (item: AgendaJson['items'][number], i: number) => {
    const lines = [
      `${i + 1}. ${item.id}: ${item.title}`,
      `   ${item.typeLabel} change to ${item.services.map((s) => s.name).join(', ')}, requested by ${item.requester?.name ?? 'nobody yet'}`,
    ];
    if (item.plannedStart) lines.push(`   Planned: ${formatInZone(item.plannedStart, zone)}`);
    for (const q of item.questions) lines.push(`   ${q.label}: ${String(q.answer)}`);
    lines.push(
      `   Approvals: ${item.approvals.map((a) => `${a.from} ${a.approvedBy.length} of ${a.count}`).join(', ') || 'none needed'}`,
    );
    const link = outcomeLinks?.get(item.id);
    lines.push(link ? `   Record the outcome: ${link}` : `   ${item.url}`);
    return lines.join('\n');
  };
  const text = [
    `Hello ${input.recipientName},`,
    '',
    `${agenda.meeting.name}${when ? `, ${when}` : ''}`,
    intro,
    '',
    ...agenda.items.map((item, i) => `${itemText(item, i)}\n`),
    how,
    '',
    `— Changeboard for ${input.organization}`,
  ].join('\n');

  const button = (href: string, label: string) =>
    `<a href="${escapeHtml(href)}" style="display:inline-block;padding:8px 14px;margin:8px 0 0;border-radius:6px;background:#0969da;color:#fff;text-decoration:none;font-weight:600">${escapeHtml(label)}</a>`;
  const itemHtml = (item: AgendaJson['items'][number], i: number) => {
    const link = outcomeLinks?.get(item.id);
    const facts: [string, string][] = [
      ['Type', item.typeLabel],
      ['Services', item.services.map((s) => s.name).join(', ')],
      ['Requested by', item.requester?.name ?? 'nobody yet'],
      ...(item.plannedStart
        ? ([['Planned', formatInZone(item.plannedStart, zone)]] as [string, string][])
        : []),
      ...item.questions.map((q): [string, string] => [q.label, String(q.answer)]),
      [
        'Approvals',
        item.approvals.map((a) => `${a.from} ${a.approvedBy.length} of ${a.count}`).join(', ') ||
          'none needed',
      ],
    ];
    return `<h3 style="font-size:16px;margin:20px 0 4px">${i + 1}. ${
      outcomeLinks
        ? escapeHtml(`${item.id}: ${item.title}`)
        : `<a href="${escapeHtml(item.url)}" style="color:#0969da">${escapeHtml(`${item.id}: ${item.title}`)}</a>`
    }</h3>
<table role="presentation" style="border-collapse:collapse">${facts.map(([k, v]) => `<tr><td style="padding:2px 12px 2px 0;color:#656d76;vertical-align:top">${escapeHtml(k)}</td><td style="padding:2px 0">${escapeHtml(v)}</td></tr>`).join('')}</table>
${link ? button(link, `Record the outcome on ${item.id}`) : ''}`;
  };
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f6f7f9;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2328">
<div style="max-width:640px;margin:0 auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:24px">
<p style="margin:0 0 16px">Hello ${escapeHtml(input.recipientName)},</p>
<h2 style="font-size:18px;margin:0 0 4px">${escapeHtml(agenda.meeting.name)}${when ? `, ${escapeHtml(when)}` : ''}</h2>
<p>${escapeHtml(intro)}</p>
${agenda.items.map(itemHtml).join('\n')}
<p style="margin:24px 0 0;color:#656d76;font-size:12px">${outcomeLinks ? escapeHtml(how) : `Record each outcome on <a href="${escapeHtml(agenda.links.page)}" style="color:#0969da">the agenda page</a>.`}</p>
<p style="margin:24px 0 0;color:#656d76;font-size:12px">Changeboard for ${escapeHtml(input.organization)}</p>
</div></body></html>`;
  return { subject, text, html };
}
