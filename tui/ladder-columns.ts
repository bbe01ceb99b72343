/**
 * The ladder's parties: the clients present (for the view's picker) and, for one client, its columns — the client,
 * then one per (server address, program). See ladder-model.ts.
 */
import type { TxRow } from './store';
import type { LadderMessage } from './ladder-model';

export const PORTMAP_PROGRAM = 100000;
export const NFS_PROGRAM = 100003;
export const MOUNT_PROGRAM = 100005;

/** The client of a row (its call's source, its reply's destination), or null for a frame row. */
export function rowClient(row: TxRow): string | null {
  const call = row.calls[0];
  if (call) return call.record.src;
  const reply = row.replies[0];
  return reply ? reply.record.dst : null;
}

export interface LadderClient {
  client: string;
  /** Messages of this client among those given (rows: their calls and replies). */
  messages: number;
}

/** The clients present, in order of first appearance: from ladder messages, or cheaply from store rows. */
export function ladderClients(items: Iterable<LadderMessage | TxRow>): LadderClient[] {
  const byClient = new Map<string, LadderClient>();
  for (const it of items) {
    const isRow = 'calls' in it;
    const client = isRow ? rowClient(it) : it.client;
    if (client === null) continue;
    let c = byClient.get(client);
    if (!c) {
      c = { client, messages: 0 };
      byClient.set(client, c);
    }
    c.messages += isRow ? it.calls.length + it.replies.length : 1;
  }
  return [...byClient.values()];
}

export interface LadderColumn {
  kind: 'client' | 'server';
  /** The client's address, or the server's. */
  address: string;
  /** The server program (null: the client's column, or replies whose call was not seen). */
  program: number | null;
  /** `client`, `portmap` (only version 2 seen) or `rpcbind`, `mountd`, `nfsd`, else the program's name in lower
   *  case (`nlm`), its number, or `?`. */
  role: string;
  /** 1-based number of the server among the client's servers (0 for the client). */
  serverIndex: number;
  /** Server ports seen, in order of appearance (a program may answer on several: UDP and TCP); the first 8. */
  ports: number[];
  /** Versions called, in order of appearance; the first 8. */
  versions: number[];
  messages: number;
}

const WELL_KNOWN = [PORTMAP_PROGRAM, MOUNT_PROGRAM, NFS_PROGRAM];
/** Ports and versions listed per column (the legend line has room for a few). */
const MAX_LISTED = 8;

function roleOf(program: number | null, name: string, versions: readonly number[]): string {
  if (program === PORTMAP_PROGRAM) return versions.some((v) => v >= 3) ? 'rpcbind' : 'portmap';
  if (program === MOUNT_PROGRAM) return 'mountd';
  if (program === NFS_PROGRAM) return 'nfsd';
  if (program === null) return '?';
  return name.toLowerCase();
}

/**
 * The ladder's columns for a client: the client first; then one column per (server address, program). Several
 * servers: grouped by server, servers in order of first appearance; within a server portmap/rpcbind, mountd, nfsd,
 * then the other programs in order of appearance, and last the replies whose call was not seen (program `?`).
 * Ports do not make columns of their own (a daemon answering on UDP and TCP is one party).
 */
export function ladderColumns(messages: readonly LadderMessage[], client: string): LadderColumn[] {
  const servers = new Map<string, Map<number | null, LadderColumn & { name: string }>>();
  /** 1-based order of first appearance of each server. */
  const order = new Map<string, number>();
  for (const m of messages) {
    if (m.client !== client) continue;
    let progs = servers.get(m.server);
    if (!progs) {
      progs = new Map();
      servers.set(m.server, progs);
      order.set(m.server, servers.size);
    }
    let c = progs.get(m.program);
    if (!c) {
      c = { kind: 'server', address: m.server, program: m.program, role: '', serverIndex: order.get(m.server) ?? 0, ports: [], versions: [], messages: 0, name: m.programName };
      progs.set(m.program, c);
    }
    c.messages++;
    if (c.ports.length < MAX_LISTED && !c.ports.includes(m.serverPort)) c.ports.push(m.serverPort);
    if (m.version !== null && c.versions.length < MAX_LISTED && !c.versions.includes(m.version)) c.versions.push(m.version);
  }
  const out: LadderColumn[] = [{ kind: 'client', address: client, program: null, role: 'client', serverIndex: 0, ports: [], versions: [], messages: 0 }];
  for (const progs of servers.values()) {
    const list = [...progs.values()];
    const rank = (c: LadderColumn): number => (c.program === null ? WELL_KNOWN.length + 1 : WELL_KNOWN.includes(c.program) ? WELL_KNOWN.indexOf(c.program) : WELL_KNOWN.length);
    // Array.prototype.sort is stable: the other programs keep their order of appearance
    for (const { name, ...c } of list.sort((a, b) => rank(a) - rank(b))) out.push({ ...c, role: roleOf(c.program, name, c.versions) });
  }
  out[0].messages = messages.filter((m) => m.client === client).length;
  return out;
}
