/**
 * One line of a decoded message's detail, with the lines it explains below it: the same tree feeds snoop's `-v`
 * blocks (each node's text printed after the layer prefix, children after it, in order) and the TUI's
 * collapsible detail pane. Texts carry snoop's own indentation, so `-v` output is exactly the text.
 */
export interface DetailNode {
  text: string;
  children?: DetailNode[];
}

/** Shorthand for building detail lists: a leaf node. */
export function line(text: string, children?: DetailNode[]): DetailNode {
  return children && children.length ? { text, children } : { text };
}

/** Depth-first texts, as `-v` prints them. */
export function flattenDetail(nodes: DetailNode[], out: string[] = []): string[] {
  for (const n of nodes) {
    out.push(n.text);
    if (n.children) flattenDetail(n.children, out);
  }
  return out;
}
