/**
 * Command-line options, tcpdump/tshark style. Parsed with node's util.parseArgs (no dependency needed for this);
 * every mistake becomes a UsageError with a one-line message (exit code 2).
 */
import { parseArgs } from 'node:util';
import type { TimeMode } from '../format/summary-prefix';
import type { ReportKind } from './reports';

export class UsageError extends Error {}

export interface CliOptions {
  help: boolean;
  version: boolean;
  readFile: string | null;
  /** -i: capture live on this interface. */
  iface: string | null;
  /** -f: libpcap capture filter. */
  filter: string;
  /** -s: bytes kept per frame (live). */
  snaplen: number;
  /** -B: libpcap's kernel buffer in KiB (tcpdump's unit), or null for the default. */
  bufferKiB: number | null;
  /** --duration: stop a live capture after this many seconds. */
  duration: number | null;
  /** -w: save live frames to this pcap file. */
  writeFile: string | null;
  /** -D: list interfaces. */
  listInterfaces: boolean;
  /** -Z: user to run as after opening the device (default nobody when root). */
  user: string | null;
  count: number | null;
  json: boolean;
  /** -V: one line per layer; -v: verbose blocks. */
  layers: boolean;
  verbose: boolean;
  /** -a: also frames that complete no RPC message. */
  all: boolean;
  /** --names: learned paths after FH=XXXX on summary lines. */
  names: boolean;
  /** --stats, --services, --explain, --findings (in this order), instead of per-message lines. */
  reports: ReportKind[];
  /** -Y: display filter expression. */
  displayFilter: string | null;
  /** --rtt / --no-rtt: response time on reply lines (null: on for live capture, off for files). */
  rtt: boolean | null;
  timeMode: TimeMode;
  /** --max-pending (old name --max-transactions): calls remembered for pairing. */
  maxPending: number;
  replyTimeout: number;
  maxRecordSize: number;
  /** --max-record-buffer: bytes of partial TCP records held by all connections together. */
  maxRecordBuffer: number;
  /** --max-endpoints: clients and servers --stats counts one by one. */
  maxEndpoints: number;
  /** --max-held: messages the release queue holds back at most. */
  maxHeld: number;
  /** --max-answered: answered transactions pairing remembers. */
  maxAnswered: number;
  /** --max-streams: TCP connections tracked. */
  maxStreams: number;
  /** --max-fragments: IP datagrams reassembled at once. */
  maxFragments: number;
  /** --max-stream-buffer, --max-tcp-buffer: out-of-order TCP bytes held per direction and in all. */
  maxStreamBuffer: number;
  maxTcpBuffer: number;
  hold: boolean;
  progress: boolean;
  /** --tui: the terminal UI instead of printed lines. */
  tui: boolean;
  /** --rows: rows the TUI keeps (the oldest are evicted beyond). */
  rows: number;
}

export const USAGE = `Usage: rpcsnoop -r FILE [options]
       rpcsnoop -i IFACE [-f FILTER] [-w FILE] [options]
       rpcsnoop -D

Decode ONC RPC (PORTMAP/RPCBIND, MOUNT, NFS and others) from a capture file or live from
an interface: reassemble UDP datagrams (IP fragments too) and TCP record-marked streams,
pair replies with calls.

Input:
  -r FILE                 read a capture: pcap (µs or ns, either byte order), pcapng,
                          either one gzip-compressed; "-" reads standard input
  -i IFACE                capture live on IFACE ("any" for all) through libpcap
  -f FILTER               libpcap capture filter for -i (e.g. 'port 2049 or port 111')
  -s SNAPLEN              bytes kept of each live frame (default and maximum 65535)
  -B KIB                  libpcap's kernel buffer in KiB (default 32768); a larger one
                          rides out longer bursts (each frame takes a ~64 KiB slot)
  -w FILE                 also save the live frames to FILE (nanosecond pcap)
  --duration SEC          stop a live capture after SEC seconds
  -Z USER                 after opening the interface, run as USER (default: nobody when
                          started as root; -Z root keeps root)
  -D, --list-interfaces   list the interfaces -i can use
  -c COUNT                stop after COUNT frames
Output (one line per RPC message by default, snoop style):
  -V                      every layer's summary line (ETHER, IP, UDP/TCP, RPC, program)
                          after a line of 32 underscores
  -v                      verbose: every layer's fields, snoop's -v blocks
  --json                  JSON Lines: one object per RPC message, in completion order
  -Y, --display-filter EXPR
                          show only transactions (a call and its reply) where either
                          message matches EXPR, e.g. 'proc == LOOKUP and status != OK',
                          'program == MOUNT', 'rtt > 10ms', 'path ~ "\\.txt$"', 'uid == 0'
                          fields: program prog version vers procedure proc xid type src
                          dst host port sport dport transport frame status error rtt fh
                          path name uid gid machine anomaly; flags retransmit duplicate
                          orphan unanswered xid_reuse late evicted truncated;
                          operators == != < <= > >= contains ~ and or not ( )
Terminal UI:
  --tui                   browse the transactions in a terminal UI (with -r or -i): list,
                          detail tree, hex; filter (f), search (/), statistics (s), a
                          ladder of a client's conversation (l); ? lists the keys
  --rows N                transactions the TUI keeps; the oldest leave beyond (default
                          100000)
Analysis (printed at the end instead of per-message lines; with --json one JSON object
each; -Y selects what they count):
  --stats                 per program/version/procedure: calls, replies, errors by status,
                          unanswered, retransmissions, RTT min/avg/p50/p95/p99/max; per
                          client and server; NFS READ/WRITE bytes and throughput
  --services              an rpcinfo -p table per server, rebuilt from PORTMAP/RPCBIND
                          replies and from the traffic seen on each port
  --explain               each client's NFSv3 mount, step by step, and why it failed
  --findings              what an administrator should look at: unanswered calls,
                          retransmissions, slow replies, errors by status and path, stale
                          handles, root credentials, AUTH_NONE, PORTMAP/RPCBIND DUMP
                          amplification, services disclosed
  -a, --all               also frames that complete no RPC message, with their
                          highest layer's line
  --names                 learned paths after file handles: FH=711F (/export/a.txt)
  --rtt, --no-rtt         response time on reply lines (rtt=0.183ms); on by default
                          when capturing live (-i), off for files
  -t d|r|a                time column: delta from the previous line (default), relative
                          to the first line, or absolute wall clock
  --no-hold               print each message as soon as it completes (calls then lack
                          their reply frame, RTT and the "unanswered" flag)
  --no-progress           no progress line on stderr for large files
Limits (each bounds memory; reaching one prints a "limit reached" line (a JSON object with
--json) once, when it happens, and the total on stderr at the end — never silent):
  --max-pending N         calls waiting for a reply remembered for pairing (default 200000,
                          ~660 B each: ~130 MB of heap when full); past it the oldest is
                          evicted and printed unanswered. Old name: --max-transactions
  --max-answered N        answered calls remembered to flag duplicate replies and XID
                          reuse (default 20000, ~880 B each)
  --reply-timeout SEC     a call with no reply this long (capture time) is unanswered
                          (default 60)
  --max-held N            messages held back waiting for a call's reply (default 20000,
                          ~1.8 KB each plus their bytes, at most 32 MiB); past it the
                          oldest call is printed without its reply
  --max-record-size BYTES largest TCP record kept whole (default 16777216); the rest is
                          skipped and the record kept truncated. Each TCP direction can
                          hold one partial record of up to this size
  --max-record-buffer BYTES
                          bytes of partial TCP records held by all connections together
                          (default 67108864); past it the partial record held longest is
                          cut: kept truncated, its rest skipped
  --max-streams N         TCP connections tracked (default 100000, ~1 KB each open,
                          ~210 B closed); past it the least recently used is closed
  --max-fragments N       IP datagrams reassembled at once (default 1024, up to 64 KiB
                          each); past it the oldest incomplete one is given up
  --max-stream-buffer BYTES
                          out-of-order TCP bytes held per direction (default 4194304);
                          past it the first hole is declared lost
  --max-tcp-buffer BYTES  out-of-order TCP bytes held in all (default 67108864)
  --max-endpoints N       clients and servers --stats counts one by one (default 10000,
                          ~300 B each); the traffic of later ones is counted in one
                          "(others)" row of the Clients or Servers table
Other:
  -h, --help              this help
  --version               print the version

Exit status: 0 success, 1 unreadable or damaged input (everything before the damage is
still printed), 2 bad arguments.`;

function positiveNumber(name: string, v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n > 0)) throw new UsageError(`${name} needs a positive number of seconds, not '${v}'`);
  return n;
}

function positiveInt(name: string, v: string | undefined, min = 1): number | null {
  if (v === undefined) return null;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} needs a whole number, not '${v}'`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${name} is too large: '${v}'`);
  if (n < min) throw new UsageError(`${name} must be at least ${min}, not '${v}'`);
  return n;
}

export function parseOptions(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        read: { type: 'string', short: 'r' },
        interface: { type: 'string', short: 'i' },
        filter: { type: 'string', short: 'f' },
        snaplen: { type: 'string', short: 's' },
        buffer: { type: 'string', short: 'B' },
        duration: { type: 'string' },
        write: { type: 'string', short: 'w' },
        'list-interfaces': { type: 'boolean', short: 'D' },
        user: { type: 'string', short: 'Z' },
        count: { type: 'string', short: 'c' },
        json: { type: 'boolean' },
        layers: { type: 'boolean', short: 'V' },
        verbose: { type: 'boolean', short: 'v' },
        all: { type: 'boolean', short: 'a' },
        names: { type: 'boolean' },
        rtt: { type: 'boolean' },
        'display-filter': { type: 'string', short: 'Y' },
        stats: { type: 'boolean' },
        services: { type: 'boolean' },
        explain: { type: 'boolean' },
        findings: { type: 'boolean' },
        'no-rtt': { type: 'boolean' },
        time: { type: 'string', short: 't' },
        'no-hold': { type: 'boolean' },
        'no-progress': { type: 'boolean' },
        tui: { type: 'boolean' },
        rows: { type: 'string' },
        'max-transactions': { type: 'string' },
        'max-pending': { type: 'string' },
        'max-streams': { type: 'string' },
        'max-fragments': { type: 'string' },
        'max-stream-buffer': { type: 'string' },
        'max-tcp-buffer': { type: 'string' },
        'reply-timeout': { type: 'string' },
        'max-record-size': { type: 'string' },
        'max-record-buffer': { type: 'string' },
        'max-endpoints': { type: 'string' },
        'max-held': { type: 'string' },
        'max-answered': { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const v = parsed.values;
  const time = v.time ?? 'd';
  const modes: Record<string, TimeMode> = { d: 'delta', r: 'relative', a: 'absolute' };
  if (!(time in modes)) throw new UsageError(`-t takes d, r or a, not '${time}'`);
  const timeout = v['reply-timeout'];
  if (timeout !== undefined && !(Number(timeout) > 0)) throw new UsageError(`--reply-timeout needs a positive number of seconds, not '${timeout}'`);
  const opts: CliOptions = {
    help: v.help ?? false,
    version: v.version ?? false,
    readFile: v.read ?? null,
    iface: v.interface ?? null,
    filter: v.filter ?? '',
    snaplen: positiveInt('-s', v.snaplen, 64) ?? 65535,
    bufferKiB: positiveInt('-B', v.buffer, 1024),
    duration: v.duration !== undefined ? positiveNumber('--duration', v.duration) : null,
    writeFile: v.write ?? null,
    listInterfaces: v['list-interfaces'] ?? false,
    user: v.user ?? null,
    count: positiveInt('-c', v.count),
    json: v.json ?? false,
    layers: v.layers ?? false,
    verbose: v.verbose ?? false,
    all: v.all ?? false,
    names: v.names ?? false,
    rtt: v['no-rtt'] ? false : v.rtt ? true : null,
    displayFilter: v['display-filter'] ?? null,
    reports: (['stats', 'services', 'explain', 'findings'] as const).filter((k) => v[k] === true),
    timeMode: modes[time],
    maxPending: positiveInt('--max-pending', v['max-pending']) ?? positiveInt('--max-transactions', v['max-transactions']) ?? 200_000,
    replyTimeout: timeout !== undefined ? Number(timeout) : 60,
    maxRecordSize: positiveInt('--max-record-size', v['max-record-size'], 64) ?? 16 << 20,
    maxRecordBuffer: positiveInt('--max-record-buffer', v['max-record-buffer'], 65536) ?? 64 << 20,
    maxEndpoints: positiveInt('--max-endpoints', v['max-endpoints']) ?? 10_000,
    maxHeld: positiveInt('--max-held', v['max-held']) ?? 20_000,
    maxAnswered: positiveInt('--max-answered', v['max-answered']) ?? 20_000,
    maxStreams: positiveInt('--max-streams', v['max-streams']) ?? 100_000,
    maxFragments: positiveInt('--max-fragments', v['max-fragments']) ?? 1024,
    maxStreamBuffer: positiveInt('--max-stream-buffer', v['max-stream-buffer'], 65536) ?? 4 << 20,
    maxTcpBuffer: positiveInt('--max-tcp-buffer', v['max-tcp-buffer'], 65536) ?? 64 << 20,
    hold: !(v['no-hold'] ?? false),
    progress: !(v['no-progress'] ?? false),
    tui: v.tui ?? false,
    rows: positiveInt('--rows', v.rows) ?? 100_000,
  };
  if (v['max-pending'] !== undefined && v['max-transactions'] !== undefined) throw new UsageError('--max-transactions is the old name of --max-pending: give one of them');
  if ([opts.json, opts.layers, opts.verbose].filter(Boolean).length > 1) throw new UsageError('choose one of --json, -V and -v');
  if (opts.reports.length > 0 && (opts.layers || opts.verbose || opts.all)) throw new UsageError('--stats, --services, --explain and --findings print reports: they do not combine with -V, -v or -a');
  if (opts.readFile !== null && opts.iface !== null) throw new UsageError('give either -r FILE or -i IFACE, not both');
  if (opts.iface === null && (opts.writeFile !== null || opts.duration !== null || opts.filter !== '' || v.snaplen !== undefined || opts.bufferKiB !== null || opts.user !== null)) {
    throw new UsageError('-w, -f, -s, -B, -Z and --duration apply to live capture: add -i IFACE');
  }
  if (opts.tui && (opts.json || opts.layers || opts.verbose || opts.reports.length > 0)) {
    throw new UsageError('--tui shows everything in the terminal: it does not combine with --json, -V, -v or the reports');
  }
  if (opts.tui && opts.readFile === '-') throw new UsageError('--tui needs the terminal for keys: read a file, not standard input');
  if (!opts.tui && v.rows !== undefined) throw new UsageError('--rows applies to --tui');
  if (opts.snaplen > 65535) throw new UsageError('-s: at most 65535 (the snaplen libpcap is opened with)');
  if (!opts.help && !opts.version && !opts.listInterfaces && opts.readFile === null && opts.iface === null) {
    throw new UsageError('no input: give -r FILE (or -r - for standard input), or -i IFACE');
  }
  return opts;
}
