/**
 * A reply cut short by the snaplen or by lost bytes still shows its status: every NFSv3 result begins with its
 * nfsstat3 (RFC 1813 §3.3), so when the rest does not decode and the record is known to be truncated, the result
 * is that status alone, marked `partial`. Summary lines then read `NFS R FSINFO3 OK (truncated)` rather than
 * falling back to the RPC line, and -v shows `Status = 0 (OK)` and stops. Nothing is learned from a partial result.
 */
import { line, type DetailNode } from '../../format/detail';
import { XdrSpans } from '../../format/xdr-spans';
import type { DecodeContext, FormatContext, ProcedureDef } from '../../rpc/registry';
import { XdrError, type XdrReader } from '../../rpc/xdr';
import { nfsstat3Of } from './status';
import { procLineText, statusWords } from './summary';
import type { Nfs3ProcName } from './types';
import { statusNode } from './detail-attrs';

export interface PartialResult {
  status: string;
  partial: true;
}

export function isPartial(result: unknown): result is PartialResult {
  return typeof result === 'object' && result !== null && (result as { partial?: unknown }).partial === true;
}

/** Wraps a procedure so that a truncated reply decodes to its status when nothing more can be read. */
export function withPartialResults(def: ProcedureDef, name: Nfs3ProcName): ProcedureDef {
  const readResult = def.readResult;
  if (!readResult || name === 'NULL') return def;
  return {
    ...def,
    readResult: (r: XdrReader, args: unknown, ctx: DecodeContext) => {
      const start = r.pos;
      try {
        return readResult(r, args, ctx);
      } catch (e) {
        if (!(e instanceof XdrError) || e.kind !== 'short' || !ctx.truncated || r.end - start < 4) throw e;
        r.pos = start;
        const partial: PartialResult = { status: nfsstat3Of(r.u32('nfsstat3')), partial: true };
        return partial;
      }
    },
    replySummary: (result: unknown, args: unknown, f: FormatContext) =>
      isPartial(result) ? `${name}3 ${statusWords(result.status)}` : (def.replySummary?.(result, args, f) ?? ''),
    replyDetail: (result: unknown, args: unknown, f: FormatContext, at?: XdrSpans): DetailNode[] =>
      isPartial(result)
        ? [line(procLineText(name)), statusNode(result.status, at ?? XdrSpans.detached()), line('(truncated: the rest was not captured)')]
        : (def.replyDetail?.(result, args, f, at) ?? []),
    learn: (args, result, l) => {
      if (!isPartial(result)) def.learn?.(args, result, l);
    },
  };
}
