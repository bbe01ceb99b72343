/**
 * Text helpers shared by the PORTMAP v2 and RPCBIND v3/v4 formatters (snoop-format.md §1.5, §1.6, §2.6): protocol
 * names, snoop's GMT date, printf-style padding, strings from the wire made safe to print, and the uaddr texts.
 */
import { field, type ByteRange, type DetailNode } from '../format/detail';
import { escapeControls } from '../format/escape';
import type { FormatContext } from '../rpc/registry';
import type { ParsedAddr } from './portmap-xdr';

/** snoop's getproto(): mapping.prot as `UDP`/`TCP` (RFC 1833 §3.1 IPPROTO_UDP 17, IPPROTO_TCP 6). */
export function protoName(prot: number): string | null {
  return prot === 17 ? 'UDP' : prot === 6 ? 'TCP' : null;
}

/**
 * `proto=UDP` text. snoop prints an empty name for other protocols (`proto=`); we print the number instead, so
 * the value is not lost.
 */
export function protoSummary(prot: number): string {
  return protoName(prot) ?? String(prot);
}

/** `Protocol = 17 (UDP)`; for other protocols snoop prints `()`, we print `(?)`. */
export function protoDetail(prot: number): string {
  return `Protocol = ${prot} (${protoName(prot) ?? '?'})`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * snoop's GETTIME format, strftime `%d-%h-%y %T GMT` of gmtime: `12-Mar-24 14:03:55 GMT`. RFC 1833 §2.1 makes the
 * time an unsigned int (seconds since 1970); snoop reads it signed, so it would show times after 2038 in 1901.
 */
export function snoopGmt(seconds: number): string {
  const d = new Date(seconds * 1000);
  return (
    `${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${two(d.getUTCFullYear() % 100)} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`
  );
}

/** printf `%-Ns`. */
export function padRight(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** printf `%Nd` / `%Ns`. */
export function padLeft(s: string | number, n: number): string {
  const t = String(s);
  return t.length >= n ? t : ' '.repeat(n - t.length) + t;
}

/**
 * A string from the wire, safe to print on one line: backslashes doubled, then every control, bidi or invalid-UTF-8
 * character escaped as in all text output (format/escape.ts: `\x1b`, `\n`, `\u009b`, `\u202e`, `\x9b` for a byte
 * that was not UTF-8), so a hostile netid or uaddr can neither forge lines or terminal escapes nor pass for an escape.
 */
export function printable(s: string): string {
  return escapeControls(s.includes('\\') ? s.replace(/\\/g, '\\\\') : s);
}

/** `prog=100003 (NFS)`, snoop's form where the number is shown with its name. */
export function progWithName(prog: number, f: FormatContext): string {
  return `${prog} (${f.programName(prog)})`;
}

/**
 * A universal address for a summary line, after snoop's `Uaddr=` : the string, then ` port=N` when it is an IP
 * address (beyond snoop: `8.1` is hard to read as 2049), or `emptyNote` when it is empty.
 */
export function uaddrSummary(uaddr: string, p: ParsedAddr, emptyNote: string): string {
  if (uaddr === '') return emptyNote;
  return p.port !== null ? `${printable(uaddr)} port=${p.port}` : printable(uaddr);
}

/** A universal address for a `-v` line: snoop's `Uaddr = <uaddr>`, then our decoded `Address = x, Port = n`;
 *  both show the string's bytes, `range`. */
export function uaddrDetail(label: string, uaddr: string, p: ParsedAddr, emptyNote: string, range?: ByteRange): DetailNode {
  if (uaddr === '') return field(`${label}${emptyNote}`, range);
  const text = `${label}${printable(uaddr)}`;
  return field(text, range, p.address !== null ? [field(`   Address = ${p.address}, Port = ${p.port}`, range)] : undefined);
}

/** Opaque bytes as snoop prints them: uppercase hex, no separators; long data is cut with `...`. */
export function hexText(b: Uint8Array, max = 64): string {
  const cut = b.length > max ? b.subarray(0, max) : b;
  const s = Buffer.from(cut.buffer, cut.byteOffset, cut.byteLength).toString('hex').toUpperCase();
  return b.length > max ? `${s}...` : s;
}
