/**
 * snoop's `-v` layer block (snoop-format.md §2.2): a header line `<prefix>----- <title> -----`, a line made of the
 * prefix alone, then every detail line after the prefix. Layers that end with a prefix-only line carry it as a last
 * node with empty text (`line('')`), because snoop leaves it out in some cases (an RPC reply that failed, the MOUNT
 * replies that overrun), so the block never adds one by itself.
 */
import { flattenDetail, type DetailNode } from './detail';
import { escapeControls, escapeDetailText } from './escape';

/**
 * The lines of one layer. `title` null gives the nodes alone, without the header and the blank line: snoop's
 * one-line notes such as `UDP:  [1480 byte(s) of data, continuation of IP ident=4660]`. Node texts hold wire strings
 * (names, paths, netids): their control and bidi characters are escaped here, leading layout tabs kept
 * (escapeDetailText), so a tab inside a name cannot pass for layout once the line is joined to its prefix.
 */
export function renderBlock(prefix: string, title: string | null, nodes: DetailNode[]): string[] {
  const out: string[] = title === null ? [] : [`${prefix}----- ${escapeControls(title)} -----`, prefix];
  for (const text of flattenDetail(nodes)) out.push(prefix + escapeDetailText(text));
  return out;
}
