/** How the limits panel names, orders and converts the API's limit fields. */
import type { LimitsFieldsFragment, LimitsInput } from "../generated/graphql";

export type Limits = LimitsFieldsFragment;
export type LimitKey = keyof Limits & keyof LimitsInput;
/** The panel's inputs (numbers, as Svelte binds them): empty means "the server default". */
export type LimitValues = Record<LimitKey, number | null | undefined>;

export const LIMIT_FIELDS: { key: LimitKey; label: string; unit: string; step: number }[] = [
  { key: "timeoutSeconds", label: "Timeout", unit: "s", step: 0.1 },
  { key: "memoryMib", label: "Memory", unit: "MiB", step: 1 },
  { key: "cpuMillicores", label: "CPU", unit: "millicores", step: 1 },
  { key: "maxProcesses", label: "Processes", unit: "", step: 1 },
  { key: "maxOutputBytes", label: "Output", unit: "bytes", step: 1 },
  { key: "diskMib", label: "Disk", unit: "MiB", step: 1 },
];

export function emptyLimits(): LimitValues {
  return {
    timeoutSeconds: null,
    memoryMib: null,
    cpuMillicores: null,
    maxProcesses: null,
    maxOutputBytes: null,
    diskMib: null,
  };
}

/** Only the limits the user set: the server applies its defaults to the rest. */
export function limitsInput(values: LimitValues): LimitsInput | null {
  const input: LimitsInput = {};
  let any = false;
  for (const { key } of LIMIT_FIELDS) {
    const value = values[key];
    if (value === null || value === undefined || Number.isNaN(value)) continue;
    input[key] = key === "timeoutSeconds" ? value : Math.round(value);
    any = true;
  }
  return any ? input : null;
}

/** The panel's values for an execution's limits: blank where they equal the defaults. */
export function limitValues(limits: Limits, defaults: Limits | null): LimitValues {
  const values = emptyLimits();
  for (const { key } of LIMIT_FIELDS) {
    if (!defaults || limits[key] !== defaults[key]) values[key] = limits[key];
  }
  return values;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) ? 1 : 0)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 ? 1 : 0)} KiB`;
  return `${bytes} B`;
}
