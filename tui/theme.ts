/**
 * Styled lines to terminal text: SGR attributes (ECMA-48) that blessed parses in element content. With colour off
 * (NO_COLOR, https://no-color.org, or a terminal without colours) only bold, underline and reverse video are used,
 * so the selection, the highlight and errors stay visible without colour.
 *
 * Lines reach here with their wire strings already escaped (view-model.ts): the only escape sequences in the output
 * are the ones made here.
 */
import { padTo, type Style, type StyledLine } from './styled-line';

const COLOR: Record<Style, string> = {
  normal: '',
  selected: '7',
  selectedDim: '2;7',
  error: '31',
  warning: '33',
  pending: '36',
  header: '1;4',
  title: '1;34',
  highlight: '30;43',
  note: '32',
  prompt: '1',
  promptError: '1;31',
  status: '30;46',
  cursor: '7',
};

const MONO: Record<Style, string> = {
  normal: '',
  selected: '7',
  selectedDim: '7',
  error: '1',
  warning: '',
  pending: '',
  header: '1;4',
  title: '1',
  highlight: '7',
  note: '',
  prompt: '1',
  promptError: '1;4',
  status: '7',
  cursor: '7',
};

export class Theme {
  constructor(readonly color: boolean) {}

  /** NO_COLOR set to anything non-empty turns colour off (the convention's wording). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): Theme {
    return new Theme(!(env.NO_COLOR !== undefined && env.NO_COLOR !== ''));
  }

  private sgr(style: Style | undefined, inverse: boolean): string {
    const table = this.color ? COLOR : MONO;
    const codes = [table[style ?? 'normal'], inverse ? '7' : ''].filter((c) => c !== '').join(';');
    return codes === '' ? '' : `\x1b[${codes}m`;
  }

  /** One line, padded or cut to `width`, with its styles; ends with the attributes reset. */
  paint(line: StyledLine, width: number): string {
    const text = padTo(line.text, width);
    const base = this.sgr(line.style, line.inverse ?? false);
    if (!line.spans || line.spans.length === 0) return base === '' ? text : `${base}${text}\x1b[0m`;
    let out = base;
    let at = 0;
    for (const sp of line.spans) {
      const s = Math.max(at, Math.min(sp.start, width));
      const e = Math.max(s, Math.min(sp.end, width));
      if (s >= e) continue;
      out += text.slice(at, s) + this.sgr(sp.style, false) + text.slice(s, e) + '\x1b[0m' + base;
      at = e;
    }
    return out + text.slice(at) + (out === '' ? '' : '\x1b[0m');
  }
}
