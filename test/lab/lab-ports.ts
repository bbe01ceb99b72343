/**
 * For the lab tests: whether a server already listens on a port (another lab, run by hand beside a test, holds the
 * ports until it ends), read from /proc/net/tcp{,6} so that asking sends no probe traffic on lo.
 */
import { readFileSync } from 'node:fs';

/** True if a TCP socket listens on `port` (state 0A, LISTEN). */
export function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 3 && cols[1].endsWith(`:${hex}`) && cols[3] === '0A') return true;
    }
  }
  return false;
}

/** Another lab (a test run beside this one, or one started by hand) holds the ports until it ends: wait for `port`
 *  to be free, up to `timeoutMs`, saying so in the test's diagnostics. */
export async function waitForFreePort(t: { diagnostic(msg: string): void }, port: number, timeoutMs: number): Promise<void> {
  if (!listening(port)) return;
  t.diagnostic(`something listens on port ${port} (another lab?): waiting up to ${timeoutMs / 1000} s`);
  for (let i = 0; i < timeoutMs / 500 && listening(port); i++) await new Promise((r) => setTimeout(r, 500));
}
