/**
 * Output chunks as HTML, for blocks that will not change again: one string handed to the
 * browser's parser costs far less than building the same nodes one by one. The markup
 * matches what OutputPane renders for the open block. All text is escaped; styles come from
 * ansi.css, whose values are numbers and fixed colours, never text from the script.
 */
import { css } from "./ansi";
import type { OutputChunk } from "./run.svelte";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

export function chunksHtml(chunks: OutputChunk[]): string {
  const parts: string[] = [];
  for (const chunk of chunks) {
    const stream = chunk.stream === "STDERR" ? "stderr" : "stdout";
    const title = stream === "stderr" ? ' title="stderr"' : "";
    parts.push(`<span class="${stream}" data-stream="${stream}"${title} data-seq="${chunk.seq}">`);
    for (const segment of chunk.segments) {
      const style = css(segment.style);
      const text = escapeHtml(segment.text);
      parts.push(style ? `<span style="${escapeHtml(style)}">${text}</span>` : text);
    }
    parts.push("</span>");
  }
  return parts.join("");
}
