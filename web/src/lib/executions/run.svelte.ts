/**
 * One execution as the page shows it: its record, the status timeline, the output with
 * colours resolved, and how the live stream is doing. Fed by an ExecutionStream.
 */
import { request } from "../api/client";
import { ExecutionDocument } from "../generated/graphql";
import type { ExecutionFieldsFragment } from "../generated/graphql";
import { AnsiParser, type Segment } from "./ansi";
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

export class ExecutionRun {
  execution = $state.raw<Execution | null>(null);
  timeline = $state.raw<StatusEvent[]>([]);
  output = $state.raw<OutputChunk[]>([]);
  connection = $state<StreamState>("connecting");
  connectionDetail = $state("");
  error = $state<string | null>(null);
  /** Text as the script wrote it, per stream (for copying, and for tests). */
  stdout = $state("");
  stderr = $state("");

  readonly status = $derived(this.timeline.at(-1)?.status ?? this.execution?.status ?? "QUEUED");
  readonly finished = $derived(isTerminal(this.status));

  private stream: ExecutionStream | null = null;
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
      this.timeline = [...this.timeline, event];
      if (isTerminal(event.status)) void this.refresh();
      return;
    }
    const segments = this.parsers[event.stream].feed(event.data);
    this.output = [...this.output, { seq: event.seq, stream: event.stream, segments }];
    if (event.stream === "STDOUT") this.stdout += event.data;
    else this.stderr += event.data;
  }
}
