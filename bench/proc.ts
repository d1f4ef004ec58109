// Resource use of another process (the Temporal server) from /proc; Linux only, else absent.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export interface ProcStats {
  rssBytes: number;
  cpuMs: number;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export function procStats(pid: number | undefined): ProcStats | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesized command name, which may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    return { rssBytes: rssKb * 1024, cpuMs: (ticks * 1000) / clockTicks() };
  } catch {
    return undefined;
  }
}

/**
 * CPU of a process and of its children, those running now and those it has waited for
 * (PostgreSQL: the postmaster and its backends, which come and go with connections).
 */
export function treeCpuMs(root: number | undefined, children: number[]): number | undefined {
  if (root === undefined) return undefined;
  try {
    const fieldsOf = (pid: number) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    };
    const own = fieldsOf(root);
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const pid of children) {
      try {
        const f = fieldsOf(pid);
        ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // Exited since it was listed: its time is in the parent's waited-for children now.
      }
    }
    return (ticks * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}
