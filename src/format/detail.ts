/**
 * One line of a decoded message's detail, with the lines it explains below it: the same tree feeds snoop's `-v`
 * blocks (each node's text printed after the layer prefix, children after it, in order) and the TUI's
 * collapsible detail pane. Texts carry snoop's own indentation, so `-v` output is exactly the text.
 *
 * A node may also say which bytes it shows (`range`), so that the TUI can highlight them in its hex pane. The
 * offsets are relative to the bytes the node's block was decoded from:
 *  - RPC header and program blocks (rpc-detail.ts, program-detail.ts): the RPC record, `RpcEvent.record.bytes`
 *    (record marks removed, fragments joined: the bytes the XDR decoders read);
 *  - lower-layer blocks (layer-detail.ts: link, IP, UDP, TCP): the captured frame, `RawFrame.bytes`.
 * A node without a range shows nothing of the wire by itself (`Record Mark` lines, `This is a reply to frame N`,
 * a reply's `Proc = N`) or lies where the bytes are not known. Where a line heads other lines that are parts of
 * its value (a credential's body, a handle's hex lines, a fattr3 under `Post-operation attributes:`), its range
 * covers theirs. Ranges never reach past the captured bytes (0 <= start <= end <= length); `-v` text ignores them.
 */
export interface DetailNode {
  text: string;
  children?: DetailNode[];
  range?: ByteRange;
}

/** Bytes [start, end) of a record or a frame. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Shorthand for building detail lists: a node, its children (left out when empty) and its bytes (when known). */
export function line(text: string, children?: DetailNode[], range?: ByteRange): DetailNode {
  const n: DetailNode = children && children.length ? { text, children } : { text };
  if (range) n.range = range;
  return n;
}

/** A line showing the bytes at `range` (when known), with the lines that explain it below it. */
export function field(text: string, range: ByteRange | undefined, children?: DetailNode[]): DetailNode {
  return line(text, children, range);
}

/** Depth-first texts, as `-v` prints them. */
export function flattenDetail(nodes: DetailNode[], out: string[] = []): string[] {
  for (const n of nodes) {
    out.push(n.text);
    if (n.children) flattenDetail(n.children, out);
  }
  return out;
}
