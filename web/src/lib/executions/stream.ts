/**
 * Follows one execution's event log over the subscription, resuming after drops.
 *
 * The server numbers events 1, 2, 3, … per execution and replays everything after
 * `afterSeq`. So the stream remembers the last seq it delivered; when the socket drops it
 * subscribes again with that seq, and it ignores any event at or below it. Output is never
 * lost (replay) nor doubled (the seq guard), whatever the network does.
 */
import { onSocketState, socketConnected, subscriptions } from "../api/client";
import { ExecutionEventsDocument } from "../generated/graphql";
import type { ExecutionEventsSubscription } from "../generated/graphql";

export type ExecutionEvent = ExecutionEventsSubscription["executionEvents"];
export type StatusEvent = Extract<ExecutionEvent, { __typename: "StatusEvent" }>;
export type OutputEvent = Extract<ExecutionEvent, { __typename: "OutputEvent" }>;
export type DisplayEvent = Extract<ExecutionEvent, { __typename: "DisplayEvent" }>;

export type StreamState = "connecting" | "live" | "reconnecting" | "ended" | "failed";

export interface StreamHandlers {
  event(event: ExecutionEvent): void;
  state(state: StreamState, detail?: string): void;
}

const TERMINAL = new Set([
  "COMPLETED",
  "FAILED",
  "TIMED_OUT",
  "OOM_KILLED",
  "OUTPUT_LIMIT_EXCEEDED",
  "CANCELLED",
  "ERROR",
]);

export function isTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

/** Reconnect delays: quick at first, then at most every 5 s. */
function backoff(attempt: number): number {
  return Math.min(250 * 2 ** attempt, 5000);
}

export class ExecutionStream {
  private lastSeq: number;
  private stopped = false;
  private ended = false;
  private attempt = 0;
  private unsubscribe: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly unlisten: () => void;

  constructor(
    private readonly id: string,
    private readonly handlers: StreamHandlers,
    afterSeq = 0,
  ) {
    this.lastSeq = afterSeq;
    // "live" once a socket carries our subscription, even before the next event arrives.
    this.unlisten = onSocketState((socket) => {
      if (socket === "connected" && this.unsubscribe && !this.stopped && !this.ended) {
        this.attempt = 0;
        this.handlers.state("live");
      }
    });
    this.subscribe();
  }

  /** The seq of the newest event delivered so far. */
  get seq(): number {
    return this.lastSeq;
  }

  close(): void {
    this.stopped = true;
    this.unlisten();
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private subscribe(): void {
    if (this.stopped || this.ended) return;
    this.unsubscribe = subscriptions().subscribe<ExecutionEventsSubscription>(
      {
        query: ExecutionEventsDocument.toString(),
        variables: { id: this.id, afterSeq: this.lastSeq },
      },
      {
        next: (result) => {
          if (result.errors?.length) {
            this.fail(result.errors.map((e) => e.message).join("; "));
            return;
          }
          const event = result.data?.executionEvents;
          if (!event || event.seq <= this.lastSeq) return;
          this.lastSeq = event.seq;
          if (event.__typename === "StatusEvent" && isTerminal(event.status)) {
            this.ended = true;
          }
          this.handlers.event(event);
          if (this.ended) this.handlers.state("ended");
        },
        error: (error) => this.retry(error),
        complete: () => {
          // The server completes only after the terminal event; completing earlier means
          // the connection went away mid-stream (e.g. a server restart): resume.
          if (!this.ended) this.retry("the stream ended early");
        },
      },
    );
    if (socketConnected()) this.handlers.state("live");
    else this.handlers.state(this.lastSeq > 0 ? "reconnecting" : "connecting");
  }

  private retry(error: unknown): void {
    this.unsubscribe = null;
    if (this.stopped || this.ended) return;
    if (Array.isArray(error)) {
      // GraphQL errors (e.g. no such execution) will not go away by retrying.
      this.fail(error.map((e: { message?: string }) => e.message ?? String(e)).join("; "));
      return;
    }
    this.handlers.state("reconnecting", describe(error));
    this.timer = setTimeout(() => this.subscribe(), backoff(this.attempt++));
  }

  private fail(message: string): void {
    this.stopped = true;
    this.unlisten();
    this.unsubscribe?.();
    this.handlers.state("failed", message);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "code" in error) {
    const close = error as { code: number; reason?: string };
    return `connection closed (${close.code}${close.reason ? `: ${close.reason}` : ""})`;
  }
  return String(error);
}
