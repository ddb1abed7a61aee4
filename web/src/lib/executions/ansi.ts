/**
 * ANSI SGR colours (the `\x1b[…m` escapes scripts print) turned into styled text segments.
 *
 * A parser per output stream keeps its style between chunks and holds back an escape that
 * a chunk boundary cut in two, so colours stay right however the output was split. Other
 * escapes (cursor movement, titles) are dropped rather than shown as garbage.
 */

export interface Style {
  fg: string | null;
  bg: string | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
}

export interface Segment {
  text: string;
  style: Style;
}

const PALETTE = [
  "#4d4d4d", "#e05561", "#8cc265", "#d18f52", "#4aa5f0", "#c162de", "#42b3c2", "#d7dae0",
  "#7f848e", "#ff616e", "#a5e075", "#f0a45d", "#4dc4ff", "#de73ff", "#4cd1e0", "#ffffff",
];

function plain(): Style {
  return { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false };
}

function xterm256(n: number): string {
  if (n < 16) return PALETTE[n];
  if (n < 232) {
    const i = n - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return `rgb(${level(Math.floor(i / 36))}, ${level(Math.floor(i / 6) % 6)}, ${level(i % 6)})`;
  }
  const grey = 8 + (n - 232) * 10;
  return `rgb(${grey}, ${grey}, ${grey})`;
}

/** Apply one SGR parameter list to a style; returns the new style. */
function apply(style: Style, params: number[]): Style {
  const next = { ...style };
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p === 0) Object.assign(next, plain());
    else if (p === 1) next.bold = true;
    else if (p === 2) next.dim = true;
    else if (p === 3) next.italic = true;
    else if (p === 4) next.underline = true;
    else if (p === 7) next.inverse = true;
    else if (p === 22) next.bold = next.dim = false;
    else if (p === 23) next.italic = false;
    else if (p === 24) next.underline = false;
    else if (p === 27) next.inverse = false;
    else if (p >= 30 && p <= 37) next.fg = PALETTE[p - 30];
    else if (p >= 90 && p <= 97) next.fg = PALETTE[p - 90 + 8];
    else if (p === 39) next.fg = null;
    else if (p >= 40 && p <= 47) next.bg = PALETTE[p - 40];
    else if (p >= 100 && p <= 107) next.bg = PALETTE[p - 100 + 8];
    else if (p === 49) next.bg = null;
    else if (p === 38 || p === 48) {
      // 38;5;n (256 colours) or 38;2;r;g;b (true colour)
      let colour: string | null = null;
      if (params[i + 1] === 5 && i + 2 < params.length) {
        colour = xterm256(params[i + 2]);
        i += 2;
      } else if (params[i + 1] === 2 && i + 4 < params.length) {
        colour = `rgb(${params[i + 2]}, ${params[i + 3]}, ${params[i + 4]})`;
        i += 4;
      }
      if (p === 38) next.fg = colour;
      else next.bg = colour;
    }
  }
  return next;
}

// CSI sequences (ESC [ params final-byte) and OSC sequences (ESC ] … BEL/ST).
const ESCAPE = /\x1b\[([0-9;?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
// An escape cut off at the end of a chunk: keep it for the next one.
const PARTIAL = /\x1b(?:\[[0-9;?]*|\][^\x07\x1b]*)?$/;

export class AnsiParser {
  private style: Style = plain();
  private pending = "";

  feed(chunk: string): Segment[] {
    let text = this.pending + chunk;
    this.pending = "";
    const partial = PARTIAL.exec(text);
    if (partial) {
      this.pending = partial[0];
      text = text.slice(0, partial.index);
    }
    const segments: Segment[] = [];
    let last = 0;
    for (const match of text.matchAll(ESCAPE)) {
      if (match.index > last) segments.push({ text: text.slice(last, match.index), style: this.style });
      if (match[2] === "m") {
        const params = (match[1] || "0").split(";").map((v) => Number.parseInt(v || "0", 10));
        this.style = apply(this.style, params);
      }
      last = match.index + match[0].length;
    }
    if (last < text.length) segments.push({ text: text.slice(last), style: this.style });
    return segments;
  }
}

/** Inline CSS for a segment's style ("" when plain). */
export function css(style: Style): string {
  const fg = style.inverse ? (style.bg ?? "var(--output-bg)") : style.fg;
  const bg = style.inverse ? (style.fg ?? "var(--output-fg)") : style.bg;
  const rules: string[] = [];
  if (fg) rules.push(`color: ${fg}`);
  if (bg) rules.push(`background-color: ${bg}`);
  if (style.bold) rules.push("font-weight: bold");
  if (style.dim) rules.push("opacity: 0.7");
  if (style.italic) rules.push("font-style: italic");
  if (style.underline) rules.push("text-decoration: underline");
  return rules.join("; ");
}
