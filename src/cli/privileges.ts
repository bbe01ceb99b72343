/**
 * Dropping root after the capture device and the `-w` file are open, as tcpdump does (-Z): nothing decoded from
 * the network runs as root. The user's uid and primary gid come from /etc/passwd; supplementary groups are reset
 * to that user's (initgroups) before the gid and then the uid change.
 */
import { readFileSync } from 'node:fs';

export class PrivilegeError extends Error {}

export interface Account {
  name: string;
  uid: number;
  gid: number;
}

export function lookupUser(name: string, passwd = '/etc/passwd'): Account {
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch (e) {
    throw new PrivilegeError(`cannot read ${passwd} to find user '${name}': ${(e as Error).message}`);
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 4) return { name, uid: Number(f[2]), gid: Number(f[3]) };
  }
  if (/^\d+$/.test(name)) return { name, uid: Number(name), gid: Number(name) };
  throw new PrivilegeError(`-Z: no such user '${name}'`);
}

/** Drops to `user` when running as root; returns the account switched to, or null when nothing was done. */
export function dropPrivileges(user: string | null): Account | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const target = user ?? 'nobody';
  if (target === 'root') return null;
  const acct = lookupUser(target);
  // initgroups exists on POSIX node but is missing from @types/node 20
  const p = process as NodeJS.Process & { initgroups?: (user: string, extraGroup: number) => void };
  try {
    p.initgroups?.(acct.name, acct.gid);
  } catch {
    process.setgroups?.([acct.gid]);
  }
  process.setgid?.(acct.gid);
  process.setuid?.(acct.uid);
  if (process.getuid() !== acct.uid) throw new PrivilegeError(`could not switch to user '${target}'`);
  return acct;
}
