// CPU and memory of processes the bench did not write (the Temporal server, PostgreSQL), read
// from /proc: Linux only, absent elsewhere.
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ, the unit of /proc's CPU times: 100 on every Linux kernel built for x86 and ARM. */
const clockTicks = () => 100;

/** The fields after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export function procStats(pid: number | undefined): { cpuMs: number; rssBytes: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const f = statFields(pid);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    return { cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks(), rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}

/**
 * CPU of a process with its children, running and reaped: PostgreSQL's backends come and go
 * with connections, and their time lands in the postmaster's waited-for children.
 */
export function treeCpuMs(root: number): number | undefined {
  try {
    const own = statFields(root);
    let ticks = [11, 12, 13, 14].reduce((t, i) => t + Number(own[i]), 0);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const f = statFields(Number(entry));
        if (Number(f[1]) === root) ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // Gone between the listing and the read: its time is in the parent's reaped children now.
      }
    }
    return (ticks * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}
