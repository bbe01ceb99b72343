/**
 * Procedures registered as data (Wireshark's vsff tables): program → version → procedure →
 * {name, readArgs, readResult}. A reply never carries its program or procedure, so pairing hands the call's
 * decoded arguments to readResult (e.g. READ's count, GETPORT's protocol, ACCESS's requested mask).
 * Instances, not module state: a pipeline owns its registry.
 */
import type { XdrReader } from './xdr';
import { programName as tableProgramName } from './program-names';

/** Learned state and options a decoder may consult; filled in by the program decoders' issue. */
export interface DecodeContext {
  readonly transport: 'udp' | 'tcp';
}

export interface ProcedureDef {
  /** RFC name, e.g. "LOOKUP", "MNT", "GETPORT". */
  name: string;
  readArgs?: (r: XdrReader, ctx: DecodeContext) => unknown;
  readResult?: (r: XdrReader, args: unknown, ctx: DecodeContext) => unknown;
}

export interface ProgramDef {
  prog: number;
  /** Name per version (PORTMAP v2 vs RPCBIND v3/v4), falling back to `name`. */
  name: string;
  versionNames?: Readonly<Record<number, string>>;
  /** version → procedures indexed by number (holes allowed). */
  versions: Readonly<Record<number, ReadonlyArray<ProcedureDef | undefined>>>;
}

export interface Lookup {
  programName: string | null;
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
    const def = this.programs.get(prog);
    const procedure = def?.versions[vers]?.[proc] ?? null;
    return { programName: this.programName(prog, vers), procedure };
  }

  has(prog: number): boolean {
    return this.programs.has(prog);
  }
}
