/**
 * One execution as the page shows it: its record, the status timeline, the output with
 * colours resolved, and how the live stream is doing. Fed by an ExecutionStream.
 */
import { request } from "../api/client";
import { ExecutionDocument } from "../generated/graphql";
import type { ExecutionFieldsFragment } from "../generated/graphql";
import { AnsiParser, type Segment } from "./ansi";
import { chunksHtml } from "./markup";
import {
  ExecutionStream,
  isTerminal,
  type ExecutionEvent,
  type OutputEvent,
  type StatusEvent,
  type StreamState,
} from "./stream";

export type Execution = ExecutionFieldsFragment;

export interface OutputChunk {
  seq: number;
  stream: OutputEvent["stream"];
  segments: Segment[];
}

/**
 * A run of output chunks shown as one block. Blocks end at a line break once they hold
 * BLOCK_CHARS, so new output only re-lays out the last block: one growing block of 1 MiB
 * takes the browser seconds per update. A closed block drops its final line break, which the
 * block boundary stands for (the text and its copy read the same).
 */
export interface OutputBlock {
  id: number;
  chunks: OutputChunk[];
  chars: number;
  /** Whether its text so far ends with a line break (where it may close). */
  endsLine: boolean;
  /** Set once the block is closed: its markup, rendered in one go (see outputHtml). */
  html: string | null;
  /** A display (plot, HTML...) instead of output: a block of its own, in seq order. */
  display?: Display;
}

export interface Display {
  seq: number;
  mimeType: string;
  /** UTF-8 text for textual types, base64 for the others (as the API sends it). */
  data: string;
}

const BLOCK_CHARS = 4096;
/** A block that never sees a line break (progress bars) still closes, mid-line, here. */
const BLOCK_MAX_CHARS = 65536;

function withoutFinalNewline(chunk: OutputChunk): OutputChunk {
  const segments = chunk.segments.slice();
  const last = segments.at(-1);
  if (last?.text.endsWith("\n")) {
    const text = last.text.slice(0, -1);
    if (text) segments[segments.length - 1] = { ...last, text };
    else segments.pop();
  }
  return { ...chunk, segments };
}

export class ExecutionRun {
  execution = $state.raw<Execution | null>(null);
  timeline = $state.raw<StatusEvent[]>([]);
  output = $state.raw<OutputBlock[]>([]);
  connection = $state<StreamState>("connecting");
  connectionDetail = $state("");
  error = $state<string | null>(null);
  /** Text as the script wrote it, per stream (for copying, and for tests). */
  stdout = $state("");
  stderr = $state("");

  readonly status = $derived(this.timeline.at(-1)?.status ?? this.execution?.status ?? "QUEUED");
  readonly finished = $derived(isTerminal(this.status));

  private stream: ExecutionStream | null = null;
  /** Output not on screen yet: applied in batches, so a flood of events costs few renders. */
  private pending: { chunk: OutputChunk; chars: number; endsLine: boolean }[] = [];
  private pendingText = { STDOUT: "", STDERR: "" };
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly parsers = { STDOUT: new AnsiParser(), STDERR: new AnsiParser() };
  private closed = false;

  constructor(
    readonly id: string,
    execution: Execution | null = null,
  ) {
    this.execution = execution;
  }

  /** Load the record (unless given) and follow the event log from the start. */
  async start(): Promise<void> {
    if (!this.execution) {
      try {
        const data = await request(ExecutionDocument, { id: this.id });
        if (!data.execution) {
          this.error = `No execution with id ${this.id}.`;
          this.connection = "failed";
          return;
        }
        this.execution = data.execution;
      } catch (error) {
        this.error = String(error instanceof Error ? error.message : error);
        this.connection = "failed";
        return;
      }
    }
    if (this.closed) return;
    this.stream = new ExecutionStream(this.id, {
      event: (event) => this.apply(event),
      state: (state, detail) => {
        this.connection = state;
        this.connectionDetail = detail ?? "";
        if (state === "failed" && detail) this.error = detail;
      },
    });
  }

  close(): void {
    this.closed = true;
    this.stream?.close();
    if (this.flushTimer) clearTimeout(this.flushTimer);
  }

  /** Re-read the record (exit code, usage, finishedAt arrive with the terminal event). */
  async refresh(): Promise<void> {
    try {
      const data = await request(ExecutionDocument, { id: this.id });
      if (data.execution) this.execution = data.execution;
    } catch {
      // The timeline already shows the verdict; usage stays unknown until the next load.
    }
  }

  private apply(event: ExecutionEvent): void {
    if (event.__typename === "StatusEvent") {
      // Output written before a status change is on screen before the change shows.
      this.flush();
      this.timeline = [...this.timeline, event];
      if (isTerminal(event.status)) void this.refresh();
      return;
    }
    if (event.__typename === "DisplayEvent") {
      // Output before it shows before it; the block in progress ends here.
      this.flush();
      const blocks = this.output.slice();
      const open = blocks.at(-1);
      if (open && open.html === null && !open.display) {
        blocks[blocks.length - 1] = { ...open, html: chunksHtml(open.chunks) };
      }
      const display = { seq: event.seq, mimeType: event.mimeType, data: event.data };
      blocks.push({ id: blocks.length, chunks: [], chars: 0, endsLine: true, html: "", display });
      this.output = blocks;
      return;
    }
    // A stored output file: listed with the execution once it ends (not shown here yet).
    if (event.__typename === "FileEvent") return;
    const segments = this.parsers[event.stream].feed(event.data);
    this.pending.push({
      chunk: { seq: event.seq, stream: event.stream, segments },
      chars: event.data.length,
      endsLine: event.data.endsWith("\n"),
    });
    this.pendingText[event.stream] += event.data;
    // About 30 renders a second at most, however fast the script writes.
    this.flushTimer ??= setTimeout(() => this.flush(), 33);
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pending.length === 0) return;
    const blocks = this.output.slice();
    let open = blocks.at(-1);
    // Only the open block changes (as a new object, so only it re-renders).
    if (open && open.html === null) {
      blocks[blocks.length - 1] = open = { ...open, chunks: open.chunks.slice() };
    }
    else open = undefined;
    for (const { chunk, chars, endsLine } of this.pending) {
      // A full block closes when more output follows it (so the last one keeps its final
      // line break, and the text ends as the script's did).
      if (open && ((open.chars >= BLOCK_CHARS && open.endsLine) || open.chars >= BLOCK_MAX_CHARS)) {
        if (open.endsLine) open.chunks.push(withoutFinalNewline(open.chunks.pop()!));
        open.html = chunksHtml(open.chunks);
        open = undefined;
      }
      if (!open) {
        open = { id: blocks.length, chunks: [], chars: 0, endsLine: false, html: null };
        blocks.push(open);
      }
      open.chunks.push(chunk);
      open.chars += chars;
      open.endsLine = endsLine;
    }
    this.output = blocks;
    this.pending = [];
    this.stdout += this.pendingText.STDOUT;
    this.stderr += this.pendingText.STDERR;
    this.pendingText = { STDOUT: "", STDERR: "" };
  }
}
