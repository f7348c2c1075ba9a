import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A dispatcher's lease owner: `host:pid:token`. The host and pid let a
 * dispatcher that starts on the same machine tell that a lease's owner is gone
 * (its process no longer exists, or it had our own pid — a restarted container
 * whose process is always pid 1), so a restart resumes at once instead of
 * waiting for the dead owner's leases to run out.
 */
export function newInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
}

/** The owners alive in this process (tests run several dispatchers in one). */
const liveHere = new Set<string>();

export function markAlive(owner: string, alive: boolean): void {
  if (alive) liveHere.add(owner);
  else liveHere.delete(owner);
}

/**
 * Whether `owner` is certainly a dead process on this machine. Anything else —
 * another host, a live pid, a foreign format, a process we may not signal —
 * counts as alive: reclaiming a live owner's lease would send its rows twice.
 */
export function isDeadLocalInstance(owner: string, self: string): boolean {
  const match = /^(.*):(\d+):([0-9a-f]+)$/.exec(owner);
  const mine = /^(.*):(\d+):([0-9a-f]+)$/.exec(self);
  if (!match || !mine || owner === self || match[1] !== mine[1]) return false;
  const pid = Number(match[2]);
  if (pid === process.pid) return !liveHere.has(owner);
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
