import { Option, type Command } from 'commander';
import type {
  DurationFigureJson,
  InsightsJson,
  RateFigureJson,
} from '../../http/contract/index.js';
import { parseDateBound } from '../date-range.js';
import type { CliEnv } from '../main.js';
import { clientFor, remote, type RemoteOptions } from '../remote.js';

interface InsightsOptions extends RemoteOptions {
  from?: Date;
  to?: Date;
  service?: string;
  type?: string;
  cab?: string;
  minChanges?: number;
}

/** `changeboard insights`: is async working? The API's summary for a period, in a terminal. */
export function registerInsightsCommand(program: Command, cli: CliEnv): void {
  remote(program.command('insights'))
    .description(
      'is async working? time to decision, rates, failure rate, the CAB it replaced and promotion candidates',
    )
    .addOption(
      new Option(
        '--from <date>',
        'first day (UTC) or instant of the period (default: 90 days before --to)',
      ).argParser((text) => parseDateBound(text, 'from')),
    )
    .addOption(
      new Option(
        '--to <date>',
        'last day (UTC, inclusive) or instant of the period (default: now)',
      ).argParser((text) => parseDateBound(text, 'to')),
    )
    .option('--service <ids>', 'only these services (comma-separated)')
    .option('--type <types>', 'only these change types (comma-separated)')
    .option(
      '--cab <cadence>',
      'the CAB to replay, e.g. "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU@10:00 Europe/London"',
    )
    .addOption(
      new Option(
        '--min-changes <n>',
        'promotion candidates: the fewest changes a class needs',
      ).argParser((text) => Number.parseInt(text, 10)),
    )
    .action(async (options: InsightsOptions) => {
      const params = new URLSearchParams();
      if (options.from) params.set('from', options.from.toISOString());
      if (options.to) params.set('to', options.to.toISOString());
      if (options.service) params.set('service', options.service);
      if (options.type) params.set('type', options.type);
      if (options.cab) params.set('cab', options.cab);
      if (options.minChanges !== undefined) params.set('minChanges', String(options.minChanges));
      const query = params.size > 0 ? `?${params.toString()}` : '';
      const insights = await clientFor(cli, options).request<InsightsJson>(
        'GET',
        `/insights${query}`,
      );
      if (options.json) return cli.output.out(JSON.stringify(insights, null, 2));
      for (const line of insightsSummary(insights)) cli.output.out(line);
    });
}

/** Minutes as a person reads them: 45m, 3h 20m, 2d 4h. */
export function formatMinutes(minutes: number | null): string {
  if (minutes === null) return '–';
  const sign = minutes < 0 ? '-' : '';
  const m = Math.round(Math.abs(minutes));
  if (m < 60) return `${sign}${m}m`;
  if (m < 24 * 60) return `${sign}${Math.floor(m / 60)}h${m % 60 ? ` ${m % 60}m` : ''}`;
  const hours = Math.floor(m / 60);
  return `${sign}${Math.floor(hours / 24)}d${hours % 24 ? ` ${hours % 24}h` : ''}`;
}

const spread = (f: DurationFigureJson) =>
  f.count === 0
    ? 'no changes'
    : `p50 ${formatMinutes(f.p50Minutes)} · p90 ${formatMinutes(f.p90Minutes)} (${f.count})`;

const percent = (f: RateFigureJson) =>
  f.rate === null ? '–' : `${Math.round(f.rate * 1000) / 10}% (${f.numerator}/${f.denominator})`;

export function insightsSummary(i: InsightsJson): string[] {
  const lines: string[] = [];
  const filters = [
    i.filters.services.length ? `services ${i.filters.services.join(', ')}` : '',
    i.filters.types.length ? `types ${i.filters.types.join(', ')}` : '',
  ].filter(Boolean);
  lines.push(
    `Changes created ${i.period.from} – ${i.period.to}${filters.length ? ` (${filters.join('; ')})` : ''}: ${i.total.count}`,
  );
  lines.push(
    `  by state: ${i.counts.byState.map((s) => `${s.state} ${s.count}`).join(', ') || 'none'}`,
  );
  lines.push(
    `  by type:  ${i.counts.byType.map((t) => `${t.type} ${t.count}`).join(', ') || 'none'}`,
  );
  lines.push('', 'Time to decision (submitted → approved or rejected)');
  lines.push(`  overall       ${spread(i.timeToDecision.overall)}`);
  for (const t of i.timeToDecision.byType) lines.push(`  type ${t.type.padEnd(9)} ${spread(t)}`);
  for (const s of i.timeToDecision.byService)
    lines.push(`  service ${s.service.padEnd(6)} ${spread(s)}`);
  lines.push('', 'Per approver group (request → decision; first response)');
  for (const g of i.timeToDecision.byGroup) {
    const first = i.firstResponse.byGroup.find((f) => f.group === g.group);
    lines.push(
      `  ${g.group.padEnd(16)} ${spread(g)}; first response p50 ${formatMinutes(first?.p50Minutes ?? null)}`,
    );
  }
  lines.push('');
  lines.push(`Approval rate        ${percent(i.rates.approval)}`);
  lines.push(`Rejection rate       ${percent(i.rates.rejection)}`);
  lines.push(`Change failure rate  ${percent(i.changeFailureRate)}`);
  lines.push(`Emergency lead time  ${spread(i.emergencyLeadTime)} (created → verified)`);
  lines.push(
    `Deployments          ${i.deployments.count} (${i.deployments.perWeek}/week); lead time ${spread(i.deployments.leadTime)}`,
  );
  lines.push(
    `Reviews              ${i.reviews.done.count} done, ${i.reviews.owed.count} owed, ${i.reviews.overdue.count} overdue`,
  );
  lines.push(
    `Meetings             ${i.meetings.sittingsHeld} sittings held; ${i.meetings.decidedInMeeting.count} decided through a meeting, ${i.meetings.decidedAsync.count} async`,
  );
  const cf = i.meetingCounterfactual;
  lines.push(
    '',
    `The CAB it replaced: ${cf.cadence.text} (${cf.cadence.source}${cf.cadence.meeting ? `: ${cf.cadence.meeting}` : ''}; agenda ${formatMinutes(cf.cadence.agendaLeadTimeMinutes)} ahead)`,
  );
  lines.push(
    `  ${cf.decided} decisions; ${cf.faster} sooner than the CAB; waiting saved ${formatMinutes(cf.totalSavedMinutes)} in all, median ${formatMinutes(cf.medianSavedMinutes)}; ${cf.sittings} sittings; ${cf.ecab.count} emergencies would have needed an ECAB`,
  );
  lines.push('', 'Weekly');
  for (const w of i.weekly)
    lines.push(
      `  ${w.weekStart.slice(0, 10)}  created ${w.created}, approved ${w.approved}, rejected ${w.rejected}, completed ${w.completed}, failed ${w.failed}; decision p50 ${formatMinutes(w.timeToDecisionP50Minutes)}`,
    );
  const pc = i.promotionCandidates;
  lines.push(
    '',
    `Promotion candidates (at least ${pc.minChanges} changes, all approved, none failed)`,
  );
  if (pc.candidates.length === 0) lines.push('  none');
  for (const c of pc.candidates) {
    lines.push(`  ${c.entry.id}: ${c.count} changes of ${c.type} on ${c.services.join(', ')}`);
    lines.push(
      ...c.yaml
        .trimEnd()
        .split('\n')
        .map((l) => `    ${l}`),
    );
  }
  for (const n of pc.nearMisses)
    lines.push(
      `  not ${n.type} on ${n.services.join(', ')} ${JSON.stringify(n.answers)}: ${n.reason}`,
    );
  return lines;
}
