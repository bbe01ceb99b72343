/**
 * Procedures registered as data (Wireshark's vsff tables): program → version → procedure →
 * {name, readArgs, readResult, summaries, detail, status, learn}. A reply never carries its program or
 * procedure, so pairing hands the call's decoded arguments to readResult (e.g. READ's count, GETPORT's protocol,
 * ACCESS's requested mask, CALLIT's inner procedure). Instances, not module state: a pipeline owns its registry.
 *
 * Decoders are pure: readArgs/readResult read with a bounds-checked XdrReader and return plain objects with RFC
 * field names (64-bit values as bigint, handles as FileHandle, opaque data as Uint8Array views); they may throw
 * XdrError, which the pipeline turns into an anomaly. Formatting functions never print; they return text.
 */
import type { DetailNode } from '../format/detail';
import type { XdrSpans } from '../format/xdr-spans';
import type { FhNames } from '../programs/fh-names';
import type { FileHandle } from '../programs/file-handle';
import type { LearnedPorts } from '../programs/learned-ports';
import type { XdrReader } from './xdr';
import { programName as tableProgramName } from './program-names';

/** What a decoder may consult while reading. */
export interface DecodeContext {
  readonly transport: 'udp' | 'tcp';
  /** For CALLIT/BCAST/INDIRECT: decode the inner call's arguments and results through the same registry. */
  readonly registry: Registry;
  /** Nesting depth of indirect calls (CALLIT inside CALLIT); decoders stop nesting at MAX_INDIRECT_DEPTH. */
  readonly depth: number;
  /** True when the record was cut short (snaplen, lost bytes): bulk data may then be read partially. */
  readonly truncated: boolean;
}

export const MAX_INDIRECT_DEPTH = 2;

/** What a formatter may consult. */
export interface FormatContext {
  /** snoop's `FH=XXXX`, followed by ` (path)` when --names is on and the path is known. */
  fh(h: FileHandle): string;
  /** The learned path of a handle, or null. */
  path(h: FileHandle): string | null;
  /** Program name for `prog=100005 (MOUNT)`-style text (snoop's /etc/rpc-like table; "?" if unknown). */
  programName(prog: number): string;
  readonly registry: Registry;
  readonly depth: number;
}

/** Learned state that a paired call and reply may teach (ports from PORTMAP/RPCBIND, names from MNT/NFS). */
export interface LearnContext {
  readonly transport: 'udp' | 'tcp';
  /** The server that answered (the reply's source address) and the client. */
  readonly server: string;
  readonly client: string;
  readonly ports: LearnedPorts;
  readonly names: FhNames;
}

export interface ProcedureDef {
  /** RFC name, e.g. "LOOKUP", "MNT", "GETPORT" (JSON procedureName). */
  name: string;
  readArgs?: (r: XdrReader, ctx: DecodeContext) => unknown;
  readResult?: (r: XdrReader, args: unknown, ctx: DecodeContext) => unknown;
  /** Summary-line text after "<LAYER> C ", e.g. "GETATTR3 FH=711F" (snoop-format.md §1.5-1.8). */
  callSummary?: (args: unknown, f: FormatContext) => string;
  /** Summary-line text after "<LAYER> R ", e.g. "GETATTR3 OK"; `args` is undefined when the call was not decoded. */
  replySummary?: (result: unknown, args: unknown, f: FormatContext) => string;
  /** `-v` lines after the layer header and its prefix-only line, starting with "Proc = N (<long name>)". `at`
   *  stands where the arguments or results begin in the record: lines take the bytes they show from it
   *  (DetailNode.range; see format/xdr-spans.ts); without it they have no ranges. */
  callDetail?: (args: unknown, f: FormatContext, at?: XdrSpans) => DetailNode[];
  replyDetail?: (result: unknown, args: unknown, f: FormatContext, at?: XdrSpans) => DetailNode[];
  /** The RFC status name of a result ("NFS3_OK", "NFS3ERR_NOENT", "MNT3ERR_ACCES"), for procedures with one. */
  status?: (result: unknown) => string | null;
  /** Teach learned state from a paired call and its successful reply. */
  learn?: (args: unknown, result: unknown, l: LearnContext) => void;
}

export interface ProgramDef {
  prog: number;
  /** Name per version (PORTMAP v2 vs RPCBIND v3/v4), falling back to `name`. */
  name: string;
  versionNames?: Readonly<Record<number, string>>;
  /** version → procedures indexed by number (holes allowed). */
  versions: Readonly<Record<number, ReadonlyArray<ProcedureDef | undefined>>>;
  /** snoop's summary layer name for a version ("NFS", "MOUNT3", "PORTMAP", "RPCBIND"); without it the program
   *  is only named, and its messages show snoop's RPC line. */
  layer?: (vers: number) => string | null;
  /** snoop's `-v` block for a version: line prefix ("NFS:  ", "MOUNT:") and title ("Sun NFS"). */
  verbose?: (vers: number) => { prefix: string; title: string } | null;
}

export interface Lookup {
  programName: string | null;
  program: ProgramDef | null;
  procedure: ProcedureDef | null;
}

export class Registry {
  private readonly programs = new Map<number, ProgramDef>();

  register(def: ProgramDef): this {
    this.programs.set(def.prog, def);
    return this;
  }

  programName(prog: number, vers: number): string | null {
    const def = this.programs.get(prog);
    if (!def) return tableProgramName(prog);
    return def.versionNames?.[vers] ?? def.name;
  }

  lookup(prog: number, vers: number, proc: number): Lookup {
    const def = this.programs.get(prog) ?? null;
    const procedure = def?.versions[vers]?.[proc] ?? null;
    return { programName: this.programName(prog, vers), program: def, procedure };
  }

  has(prog: number): boolean {
    return this.programs.has(prog);
  }
}
