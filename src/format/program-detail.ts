/**
 * The program layer's `-v` block of a message (snoop-format.md §2.5-2.6): the program's prefix and title, and
 * the procedure's detail lines — shown, as in snoop, for calls that decoded and for successful replies to a
 * known call. Shared by `-v` and the TUI's detail tree.
 */
import type { FormatContext } from '../rpc/registry';
import type { RpcEvent } from '../rpc/rpc-event';
import type { DetailNode } from './detail';

export interface ProgramBlock {
  prefix: string;
  title: string;
  nodes: DetailNode[];
}

export function programBlock(ev: RpcEvent, f: FormatContext): ProgramBlock | null {
  if (ev.prog === null || ev.vers === null || ev.proc === null) return null;
  const look = f.registry.lookup(ev.prog, ev.vers, ev.proc);
  const v = look.program?.verbose?.(ev.vers) ?? null;
  const def = look.procedure;
  if (!v || !def) return null;
  let nodes: DetailNode[] | null = null;
  if (ev.msg.type === 'call') {
    if (def.callDetail && ev.args !== undefined) nodes = def.callDetail(ev.args, f);
  } else if (def.replyDetail && ev.result !== undefined) {
    nodes = def.replyDetail(ev.result, ev.args, f);
  }
  return nodes ? { prefix: v.prefix, title: v.title, nodes } : null;
}
