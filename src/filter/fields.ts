/**
 * Display filters: the fields, the values an RPC message has for each, and what a comparison means.
 *
 * Values. A field may have several values on one message (`host`: source and destination; `port`: both ports;
 * `fh`: every handle in the arguments and results, each as its snoop hash and as its full hex; `path`: the
 * learned path of each such handle) or none (`status` on a call, `uid` without AUTH_UNIX). A transaction's value
 * list is the union of its messages' lists (`combineValues`). Which message gives a field (`from`):
 *  - the call only: `uid`, `gid`, `machine` (AUTH_UNIX credential), `name` (file names in the arguments);
 *  - the reply only: `status`, `error`;
 *  - either: everything else (a reply takes program/version/procedure from its call; `rtt` is the transaction's).
 *
 * Comparisons, on the value list of a message or transaction:
 *  - `==`, `<`, `<=`, `>`, `>=`, `contains`, `~`: true when ANY value satisfies it;
 *  - `!=`: true when NO value equals, i.e. `a != b` is exactly `not a == b` (Wireshark 3.6+'s meaning; the old
 *    "any value differs" made `host != 10.0.0.1` true for every packet between two hosts). A field with no value
 *    is != everything: `status != OK` also selects unanswered calls (`status and status != OK`, or `error`, for
 *    replies that failed);
 *  - a bare field is true when it has a value, and for a flag when the flag is set.
 * Addresses compare as rpcsnoop prints them (IPv6 in RFC 5952 form, whatever form the filter uses), or by network:
 * `host == 10.0.0.0/8`, `src == fe80::/10`.
 * Ordering (`< <= > >=`) is for numbers (`xid`, `version`, `port`, `uid`, `gid`, `frame`, numbered `program` and
 * `procedure`) and `rtt`; `contains` and `~` work on the text of values (numbers in decimal). Names (program,
 * procedure, status, type, transport, file handle hex, addresses) compare case-insensitively, `contains` and `~`
 * on them too; paths, file names and machine names are case-sensitive.
 *
 * Names: `program` matches the number (100005) or the name rpcsnoop prints (MOUNT; 100000 is PORTMAP in v2 and
 * RPCBIND in v3/v4, so `program == RPCBIND` is v3/v4 only and `program == 100000` all three); `procedure` the
 * number or the RFC name of the JSON `procedureName` (LOOKUP, MNT, GETPORT). Unknown names are not errors: they
 * match nothing. `status` is the RFC status name (NFS3ERR_NOENT, MNT3ERR_ACCES, NFS3_OK), the RPC accept state
 * (SUCCESS, PROG_UNAVAIL, PROG_MISMATCH, PROC_UNAVAIL, GARBAGE_ARGS, SYSTEM_ERR), or for a denied reply MSG_DENIED,
 * the reject state (RPC_MISMATCH, AUTH_ERROR) and the auth state (AUTH_TOOWEAK, …); short forms: the part after
 * `ERR_` (NOENT matches NFS3ERR_NOENT and MNT3ERR_NOENT) and OK (NFS3_OK, MNT3_OK, or SUCCESS when the procedure
 * has no status of its own).
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { isOkStatus } from '../programs/status-ok';
import { FileHandle } from '../programs/file-handle';
import { acceptStatName, authStatName, rejectStatName } from '../rpc/message';
import type { PairingFlag } from '../rpc/pairing';
import { currentFlags, type RpcEvent } from '../rpc/rpc-event';
import { FilterSyntaxError, type ComparisonOp } from './lexer';

export type FieldValue = number | string | boolean;

/**
 * - number: integers (literal: decimal or 0x hex); duration: seconds (literal: 0.5, 10ms, 1.5s, 250us, 2m);
 * - named: numbers and names (program, procedure); keyword: names (status, type, transport, anomaly);
 * - address: IP addresses; text: case-sensitive strings (path, name, machine); fh: hex; flag: true/false.
 */
export type FieldKind = 'number' | 'duration' | 'named' | 'keyword' | 'address' | 'text' | 'fh' | 'flag';

export interface FieldContext {
  /** The learned path of a handle (FhNames.path of its hex), for `path`. */
  path?: (fh: FileHandle) => string | null;
}

export interface FieldDef {
  name: string;
  aliases: readonly string[];
  kind: FieldKind;
  /** Which messages give the field its values. */
  from: 'call' | 'reply' | 'both';
  /** The only values a keyword field can have (lowercase), checked when the filter is compiled. */
  choices?: readonly string[];
  description: string;
  /** The values of one message (the caller checks `from`). */
  values(ev: RpcEvent, ctx: FieldContext): FieldValue[];
}

// ------------------------------------------------------------------------------------------- walking decodes

const MAX_DEPTH = 16;

/** Every FileHandle in a decoded value (arguments or results), depth-first. */
function handlesIn(v: unknown, out: FileHandle[], depth = 0): void {
  if (v === null || typeof v !== 'object' || depth > MAX_DEPTH || v instanceof Uint8Array) return;
  if (v instanceof FileHandle) {
    out.push(v);
    return;
  }
  for (const x of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) handlesIn(x, out, depth + 1);
}

/** The distinct handles of a message's arguments and (for a reply) results; a reply carries its call's arguments. */
function handlesOf(ev: RpcEvent): FileHandle[] {
  const all: FileHandle[] = [];
  handlesIn(ev.args, all);
  if (ev.msg.type === 'reply') handlesIn(ev.result, all);
  const byHex = new Map<string, FileHandle>();
  for (const h of all) if (!byHex.has(h.hex)) byHex.set(h.hex, h);
  return [...byHex.values()];
}

/** File names in arguments: every string under a `name` key (diropargs3: LOOKUP, CREATE, REMOVE, RENAME's from
 *  and to, LINK, …) or a `dirpath` key (MOUNT MNT/UMNT). */
function namesIn(v: unknown, out: string[], depth = 0): void {
  if (v === null || typeof v !== 'object' || depth > MAX_DEPTH || v instanceof Uint8Array || v instanceof FileHandle) return;
  if (Array.isArray(v)) {
    for (const x of v) namesIn(x, out, depth + 1);
    return;
  }
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if ((k === 'name' || k === 'dirpath') && typeof x === 'string') out.push(x);
    else namesIn(x, out, depth + 1);
  }
}

// ------------------------------------------------------------------------------------------- status and error

/** Every name `status` answers to on a reply, uppercase (see the header). */
export function statusNames(ev: RpcEvent): string[] {
  const m = ev.msg;
  if (m.type !== 'reply') return [];
  const out: string[] = [];
  if (m.replyStat === 0) {
    const accept = acceptStatName(m.acceptStat ?? 0);
    out.push(accept);
    if (accept === 'SUCCESS' && ev.status === null) out.push('OK');
  } else {
    out.push('MSG_DENIED', rejectStatName(m.rejectStat ?? 0));
    if (m.authStat !== undefined) out.push(authStatName(m.authStat));
  }
  if (ev.status !== null) {
    const s = ev.status.toUpperCase();
    out.push(s);
    const short = isOkStatus(s) ? 'OK' : /ERR_(.+)$/.exec(s)?.[1];
    if (short) out.push(short);
  }
  return out;
}

/** An RPC-level failure (accepted but not SUCCESS, or denied), or a program status other than OK. */
export function isErrorReply(ev: RpcEvent): boolean {
  const m = ev.msg;
  if (m.type !== 'reply') return false;
  if (m.replyStat !== 0 || (m.acceptStat ?? 0) !== 0) return true;
  return ev.status !== null && !isOkStatus(ev.status.toUpperCase());
}

// ------------------------------------------------------------------------------------------- the fields

const present = <T>(...xs: Array<T | null | undefined>): T[] => xs.filter((x): x is T => x !== null && x !== undefined);

type Values = FieldDef['values'];

function field(name: string, aliases: string[], kind: FieldKind, description: string, values: Values, more: Partial<FieldDef> = {}): FieldDef {
  return { name, aliases, kind, from: 'both', description, values, ...more };
}

function flag(name: string, aliases: string[], description: string, test: (ev: RpcEvent) => boolean, more: Partial<FieldDef> = {}): FieldDef {
  return field(name, aliases, 'flag', description, (ev) => [test(ev)], more);
}

const hasFlag = (f: PairingFlag) => (ev: RpcEvent) => currentFlags(ev).includes(f);
const unix = (ev: RpcEvent) => (ev.msg.type === 'call' ? ev.msg.cred.unix : undefined);

const nameValues: Values = (ev) => {
  const out: string[] = [];
  namesIn(ev.args, out);
  return out;
};

const pathValues: Values = (ev, ctx) => {
  const lookup = ctx.path;
  return lookup ? present<FieldValue>(...handlesOf(ev).map((h) => lookup(h))) : [];
};

export const FIELDS: readonly FieldDef[] = [
  field('program', ['prog'], 'named', 'program number or name (NFS, MOUNT, PORTMAP, RPCBIND)', (ev) => present<FieldValue>(ev.prog, ev.programName)),
  field('version', ['vers'], 'number', 'program version', (ev) => present<FieldValue>(ev.vers)),
  field('procedure', ['proc'], 'named', 'procedure number or name (LOOKUP, MNT, GETPORT)', (ev) => present<FieldValue>(ev.proc, ev.procedureName)),
  field('xid', [], 'number', 'transaction id', (ev) => [ev.msg.xid]),
  field('type', [], 'keyword', 'call or reply', (ev) => [ev.msg.type], { choices: ['call', 'reply'] }),
  field('transport', [], 'keyword', 'udp or tcp', (ev) => [ev.record.transport], { choices: ['udp', 'tcp'] }),
  field('frame', [], 'number', 'frame that completed the message', (ev) => [ev.record.frameNo]),
  field('src', [], 'address', 'source address', (ev) => [ev.record.src]),
  field('dst', [], 'address', 'destination address', (ev) => [ev.record.dst]),
  field('host', [], 'address', 'source or destination address', (ev) => [ev.record.src, ev.record.dst]),
  field('sport', [], 'number', 'source port', (ev) => [ev.record.sport]),
  field('dport', [], 'number', 'destination port', (ev) => [ev.record.dport]),
  field('port', [], 'number', 'source or destination port', (ev) => [ev.record.sport, ev.record.dport]),
  field('status', [], 'keyword', 'reply status (NFS3ERR_NOENT, NOENT, OK, PROG_UNAVAIL, AUTH_ERROR)', statusNames, { from: 'reply' }),
  flag('error', [], 'the reply failed: RPC error, denied, or a status other than OK', isErrorReply, { from: 'reply' }),
  field('rtt', [], 'duration', 'response time in seconds (10ms, 1.5s, 250us, 2m)', (ev) => present<FieldValue>(ev.tx?.rtt)),
  field('fh', [], 'fh', 'file handle: snoop hash (412E) or full hex', (ev) => handlesOf(ev).flatMap((h) => [h.hash.toLowerCase(), h.hex])),
  field('path', [], 'text', 'learned path of a file handle', pathValues),
  field('name', [], 'text', 'file name in the arguments (LOOKUP, CREATE, RENAME from/to, MNT dirpath)', nameValues, { from: 'call' }),
  field('uid', [], 'number', 'AUTH_UNIX uid of the call', (ev) => present<FieldValue>(unix(ev)?.uid), { from: 'call' }),
  field('gid', [], 'number', 'AUTH_UNIX primary gid of the call', (ev) => present<FieldValue>(unix(ev)?.gid), { from: 'call' }),
  field('machine', [], 'text', 'AUTH_UNIX machine name of the call', (ev) => present<FieldValue>(unix(ev)?.machine), { from: 'call' }),
  field('anomaly', [], 'keyword', 'anomaly of the message (body_truncated, malformed_body, …)', (ev) => ev.anomalies.slice()),
  flag('retransmit', [], 'a retransmitted call', hasFlag('retransmit')),
  flag('duplicate', ['duplicate_reply'], 'a duplicate reply', hasFlag('duplicate_reply')),
  flag('orphan', ['orphan_reply'], 'a reply whose call was not seen', hasFlag('orphan_reply')),
  flag('unanswered', [], 'a call that got no reply', hasFlag('unanswered')),
  flag('xid_reuse', [], 'a call reusing an answered XID', hasFlag('xid_reuse')),
  flag('late', ['late_reply'], 'a reply after the call counted as unanswered', hasFlag('late_reply')),
  flag('evicted', [], 'a call evicted from the pairing table', hasFlag('evicted')),
  flag('truncated', [], 'a message cut short (snaplen, lost bytes)', (ev) => ev.record.truncated),
];

const BY_NAME: ReadonlyMap<string, FieldDef> = new Map(FIELDS.flatMap((f) => [f.name, ...f.aliases].map((n) => [n, f] as const)));

/** A field by name or alias (case-insensitive). */
export function lookupField(name: string): FieldDef | null {
  return BY_NAME.get(name.toLowerCase()) ?? null;
}

/** Every field name and alias. */
export function fieldNames(): string[] {
  return [...BY_NAME.keys()];
}

/** One message's values for a field: none when the field comes from the other kind of message (false for a flag). */
export function messageValues(def: FieldDef, ev: RpcEvent, ctx: FieldContext): FieldValue[] {
  if (def.from !== 'both' && def.from !== ev.msg.type) return def.kind === 'flag' ? [false] : [];
  return def.values(ev, ctx);
}

/** The values of several messages together: a flag is set when set on any; other fields are the union. */
export function combineValues(def: FieldDef, lists: ReadonlyArray<readonly FieldValue[]>): FieldValue[] {
  if (def.kind === 'flag') return [lists.some((l) => l.includes(true))];
  if (lists.length === 1) return lists[0].slice();
  return [...new Set(lists.flat())];
}

// ------------------------------------------------------------------------------------------- comparisons

/** A compiled comparison: true or false for a value list. */
export type ValuesTest = (values: readonly FieldValue[]) => boolean;

export interface Literal {
  text: string;
  quoted: boolean;
  pos: number;
}

const DURATION = 'a duration (seconds, or 10ms, 1.5s, 250us, 2m)';
/** Seconds per unit, as [multiplier, divisor] so that 10ms is exactly 10 / 1000. */
const UNITS: Readonly<Record<string, readonly [number, number]>> = {
  ns: [1, 1e9],
  us: [1, 1e6],
  'µs': [1, 1e6],
  ms: [1, 1e3],
  s: [1, 1],
  m: [60, 1],
  min: [60, 1],
  h: [3600, 1],
};

/** Seconds from `0.5`, `10ms`, `1.5s`, `250us`, `2m`, `1h`; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|min|m|h)?$/i.exec(text);
  if (!m) return null;
  const [mul, div] = UNITS[(m[2] ?? 's').toLowerCase()];
  return (Number(m[1]) * mul) / div;
}

/** An integer in decimal or 0x hex; null otherwise. */
export function parseInteger(text: string): number | null {
  if (/^[+-]?\d+$/.test(text) || /^0x[0-9a-f]+$/i.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

const isOrdering = (op: ComparisonOp): boolean => op === '<' || op === '<=' || op === '>' || op === '>=';
const caseInsensitive = (def: FieldDef): boolean => def.kind !== 'text';

function ordered(op: ComparisonOp, n: number): (v: number) => boolean {
  switch (op) {
    case '<':
      return (v) => v < n;
    case '<=':
      return (v) => v <= n;
    case '>':
      return (v) => v > n;
    default:
      return (v) => v >= n;
  }
}

/** The test one literal makes for `==` (`!=` negates it). */
function equality(def: FieldDef, lit: Literal): (v: FieldValue) => boolean {
  const bad = (what: string): never => {
    throw new FilterSyntaxError(lit.pos, `${def.name} takes ${what}, not '${lit.text}'`);
  };
  switch (def.kind) {
    case 'flag': {
      const t = lit.text.toLowerCase();
      const b = t === 'true' || t === 'yes' || t === '1' ? true : t === 'false' || t === 'no' || t === '0' ? false : bad('true or false');
      return (v) => v === b;
    }
    case 'number': {
      const n = parseInteger(lit.text) ?? bad('a number (decimal or 0x hex)');
      return (v) => v === n;
    }
    case 'duration': {
      const s = parseDuration(lit.text) ?? bad(DURATION);
      return (v) => typeof v === 'number' && Math.abs(v - s) < 5e-10;
    }
    case 'named': {
      const n = lit.quoted ? null : parseInteger(lit.text);
      if (n !== null) return (v) => v === n;
      const name = lit.text.toUpperCase();
      return (v) => typeof v === 'string' && v.toUpperCase() === name;
    }
    case 'keyword': {
      const name = lit.text.toLowerCase();
      if (def.choices && !def.choices.includes(name)) bad(def.choices.join(' or '));
      if (!lit.quoted && parseInteger(lit.text) !== null) bad('a name');
      return (v) => typeof v === 'string' && v.toLowerCase() === name;
    }
    case 'fh': {
      if (!/^[0-9a-f]+$/i.test(lit.text)) bad('hex digits (the 4-digit hash, or the whole handle)');
      const hex = lit.text.toLowerCase();
      return (v) => v === hex;
    }
    case 'address': {
      const net = /^([^/]+)\/(\d{1,3})$/.exec(lit.text);
      if (net) {
        const family = isIPv4(net[1]) ? 'ipv4' : isIPv6(net[1]) ? 'ipv6' : bad('an address or a network (10.0.0.0/8)');
        const prefix = Number(net[2]);
        if (prefix > (family === 'ipv4' ? 32 : 128)) bad('a network with a prefix length of at most 32 (IPv4) or 128 (IPv6)');
        const list = new BlockList();
        list.addSubnet(net[1], prefix, family);
        return (v) => typeof v === 'string' && (isIPv4(v) ? family === 'ipv4' && list.check(v, 'ipv4') : family === 'ipv6' && isIPv6(v) && list.check(v, 'ipv6'));
      }
      const a = canonicalAddress(lit.text);
      return (v) => typeof v === 'string' && v.toLowerCase() === a;
    }
    case 'text':
      return (v) => v === lit.text;
  }
}

/** An IPv6 address as rpcsnoop prints it (RFC 5952: `::1`, not `0:0:0:0:0:0:0:1`; `::ffff:10.0.0.1`); other text
 *  lowercased. */
export function canonicalAddress(text: string): string {
  const t = text.toLowerCase();
  if (!isIPv6(t)) return t;
  try {
    const h = new URL(`http://[${t}]/`).hostname.slice(1, -1);
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
    if (!mapped) return h;
    const [hi, lo] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
    return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  } catch {
    return t; // a zone id (fe80::1%eth0) is no URL host: compared as written
  }
}

const textOf = (v: FieldValue): string | null => (typeof v === 'boolean' ? null : String(v));

/**
 * Compiles `field OP literal` into a test of a value list (see the header for the meaning). Throws
 * FilterSyntaxError at the operator (not for this field) or at the literal (not a value of this field; a regular
 * expression that does not compile).
 */
export function compileComparison(def: FieldDef, op: ComparisonOp, opPos: number, lit: Literal): ValuesTest {
  if (def.kind === 'flag' && op !== '==' && op !== '!=') {
    const how = `test it alone (${def.name}, not ${def.name}) or with == true/false`;
    throw new FilterSyntaxError(opPos, `'${op}' does not apply to ${def.name}, a flag: ${how}`);
  }
  if (isOrdering(op)) {
    if (def.kind === 'duration') {
      const s = parseDuration(lit.text);
      if (s === null) throw new FilterSyntaxError(lit.pos, `${def.name} takes ${DURATION}, not '${lit.text}'`);
      const t = ordered(op, s);
      return (vs) => vs.some((v) => typeof v === 'number' && t(v));
    }
    if (def.kind !== 'number' && def.kind !== 'named') {
      throw new FilterSyntaxError(opPos, `'${op}' compares numbers; ${def.name} is not a number (use ==, !=, contains or ~)`);
    }
    const n = lit.quoted ? null : parseInteger(lit.text);
    if (n === null) throw new FilterSyntaxError(lit.pos, `'${op}' needs a number, not '${lit.text}'`);
    const t = ordered(op, n);
    return (vs) => vs.some((v) => typeof v === 'number' && t(v));
  }
  if (op === 'contains') {
    const ci = caseInsensitive(def);
    const needle = ci ? lit.text.toLowerCase() : lit.text;
    return (vs) =>
      vs.some((v) => {
        const s = textOf(v);
        return s !== null && (ci ? s.toLowerCase() : s).includes(needle);
      });
  }
  if (op === '~') {
    let re: RegExp;
    try {
      re = new RegExp(lit.text, caseInsensitive(def) ? 'i' : '');
    } catch (e) {
      throw new FilterSyntaxError(lit.pos, `invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
    }
    return (vs) =>
      vs.some((v) => {
        const s = textOf(v);
        return s !== null && re.test(s);
      });
  }
  const eq = equality(def, lit);
  if (op === '==') return (vs) => vs.some(eq);
  return (vs) => !vs.some(eq);
}

/** A bare field: a flag that is set, any other field that has a value. */
export function truthy(def: FieldDef, values: readonly FieldValue[]): boolean {
  return def.kind === 'flag' ? values.includes(true) : values.length > 0;
}
