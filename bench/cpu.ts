/**
 * Where the CPU goes: the time a process (all its threads) and the PostgreSQL
 * server on this machine have used, read from /proc. On a machine where the
 * servers, the database and the load share the cores, CPU per change says what
 * limits a throughput more plainly than the throughput itself.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

interface CpuSnapshot {
  /** The process's user + system time, in ms. */
  readonly processMs: number;
  /** Each PostgreSQL process's, in ms, by pid; undefined when none runs on this machine. */
  readonly postgresMs: ReadonlyMap<number, number> | undefined;
}

export interface CpuPerUnit {
  readonly processMs: number;
  readonly postgresMs: number | undefined;
}

/**
 * Counts the CPU `pid` uses, and PostgreSQL's when `withPostgres` (a run on it),
 * from the last start() (or from now) to per().
 */
export function cpuMeter(pid: number, withPostgres: boolean) {
  let started = cpuSnapshot(pid, withPostgres);
  return {
    start: (): void => {
      started = cpuSnapshot(pid, withPostgres);
    },
    /** Per unit of work: a change, an approval. */
    per: (units: number): CpuPerUnit => cpuPer(started, cpuSnapshot(pid, withPostgres), units),
  };
}

function cpuSnapshot(pid: number, withPostgres: boolean): CpuSnapshot {
  const postgres = new Map<number, number>();
  for (const each of withPostgres ? postgresPids() : []) {
    const ms = cpuMsOf(each);
    if (ms !== undefined) postgres.set(each, ms);
  }
  return { processMs: cpuMsOf(pid) ?? 0, postgresMs: postgres.size > 0 ? postgres : undefined };
}

/**
 * CPU between two snapshots, per unit of work (a change, an approval). PostgreSQL's
 * is added up over the processes alive at the end, from where each stood at the
 * start (or from nothing, if it started since): a backend that ended meanwhile is
 * missing, so the figure is a lower bound when connections come and go.
 */
function cpuPer(before: CpuSnapshot, after: CpuSnapshot, units: number): CpuPerUnit {
  const per = (ms: number) => Math.round((ms / Math.max(1, units)) * 100) / 100;
  let postgres: number | undefined;
  if (after.postgresMs) {
    postgres = 0;
    for (const [pid, ms] of after.postgresMs) {
      const start = before.postgresMs?.get(pid) ?? 0;
      // Less than at the start: the pid was taken by a new process.
      postgres += ms >= start ? ms - start : ms;
    }
  }
  return {
    processMs: per(after.processMs - before.processMs),
    postgresMs: postgres === undefined ? undefined : per(postgres),
  };
}

/** "CPU per change: Changeboard 3.1 ms, PostgreSQL 2.5 ms", naming the process `who`. */
export function describeCpu(cpu: CpuPerUnit, who: string, unit: string): string {
  const postgres = cpu.postgresMs === undefined ? '' : `, PostgreSQL ${cpu.postgresMs} ms`;
  return `CPU per ${unit}: ${who} ${cpu.processMs} ms${postgres}`;
}

function cpuMsOf(pid: number): number | undefined {
  try {
    // The command may hold spaces and parentheses: the fields start after the last ") ".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command.
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

function postgresPids(): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.filter((entry) => /^\d+$/.test(entry) && isPostgres(entry)).map(Number);
}

function isPostgres(pid: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
  } catch {
    return false;
  }
}
