/** How statuses, times and usage read on the page. */
import type { ExecutionStatus } from "../generated/graphql";

export const STATUS_LABELS: Record<ExecutionStatus, string> = {
  QUEUED: "Queued",
  SCHEDULED: "Scheduled",
  RUNNING: "Running",
  COMPLETED: "Completed",
  FAILED: "Failed",
  TIMED_OUT: "Timed out",
  OOM_KILLED: "Out of memory",
  OUTPUT_LIMIT_EXCEEDED: "Output limit exceeded",
  CANCELLED: "Cancelled",
  ERROR: "Error",
};

/** A colour family per status, for badges. */
export function tone(status: ExecutionStatus): "ok" | "bad" | "warn" | "busy" | "muted" {
  if (status === "COMPLETED") return "ok";
  if (status === "FAILED" || status === "ERROR" || status === "OOM_KILLED") return "bad";
  if (status === "TIMED_OUT" || status === "OUTPUT_LIMIT_EXCEEDED") return "warn";
  if (status === "CANCELLED") return "muted";
  return "busy";
}

/** Local wall-clock time with milliseconds: the timeline's steps are often close together. */
export function clock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

export function millis(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function kib(value: number): string {
  return value >= 1024 ? `${(value / 1024).toFixed(1)} MiB` : `${value} KiB`;
}

export function dateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
