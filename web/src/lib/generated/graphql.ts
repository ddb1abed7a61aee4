/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type ExecuteScriptInput = {
  /** Submitting again with the same key returns the first execution. */
  idempotencyKey?: string | null | undefined;
  /** Keep stdin open after `stdin`: send more with `sendExecutionInput`, end it with `eof: true`. */
  interactive?: boolean | null | undefined;
  limits?: LimitsInput | null | undefined;
  /** Runtime id or alias; the default runtime when omitted. */
  runtime?: string | null | undefined;
  script: string;
  /** Written to the script's stdin, which is then closed (unless interactive). */
  stdin?: string | null | undefined;
};

/** Where an execution is in its life. Terminal: COMPLETED, FAILED, TIMED_OUT, OOM_KILLED, OUTPUT_LIMIT_EXCEEDED, CANCELLED, ERROR. */
export type ExecutionStatus =
  | 'CANCELLED'
  | 'COMPLETED'
  | 'ERROR'
  | 'FAILED'
  | 'OOM_KILLED'
  | 'OUTPUT_LIMIT_EXCEEDED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SCHEDULED'
  | 'TIMED_OUT';

/** Limits to ask for; omitted fields take the server defaults. */
export type LimitsInput = {
  cpuMillicores?: number | null | undefined;
  diskMib?: number | null | undefined;
  maxOutputBytes?: number | null | undefined;
  maxProcesses?: number | null | undefined;
  memoryMib?: number | null | undefined;
  timeoutSeconds?: number | null | undefined;
};

export type OutputStream =
  | 'STDERR'
  | 'STDOUT';

export type ExecutionFieldsFragment = { id: string, status: ExecutionStatus, runtime: string, script: string, stdin: string | null, interactive: boolean, exitCode: number | null, outputTruncated: boolean, errorMessage: string | null, traceId: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, lastSeq: number, limits: { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number }, usage: { cpuTimeMs: number, peakMemoryKib: number, wallTimeMs: number } | null };

export type LimitsFieldsFragment = { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number };

export type EditorSetupQueryVariables = Exact<{ [key: string]: never; }>;


export type EditorSetupQuery = { runtimes: Array<{ id: string, language: string, version: string, default: boolean, aliases: Array<string> }>, limitsPolicy: { defaults: { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number }, maximums: { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number }, minimums: { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number } } };

export type ExecutionQueryVariables = Exact<{
  id: string | number;
}>;


export type ExecutionQuery = { execution: { id: string, status: ExecutionStatus, runtime: string, script: string, stdin: string | null, interactive: boolean, exitCode: number | null, outputTruncated: boolean, errorMessage: string | null, traceId: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, lastSeq: number, limits: { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number }, usage: { cpuTimeMs: number, peakMemoryKib: number, wallTimeMs: number } | null } | null };

export type ExecuteScriptMutationVariables = Exact<{
  input: ExecuteScriptInput;
}>;


export type ExecuteScriptMutation = { executeScript:
    | { __typename: 'AuthError', message: string }
    | { __typename: 'Execution', id: string, status: ExecutionStatus, runtime: string, script: string, stdin: string | null, interactive: boolean, exitCode: number | null, outputTruncated: boolean, errorMessage: string | null, traceId: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, lastSeq: number, limits: { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number }, usage: { cpuTimeMs: number, peakMemoryKib: number, wallTimeMs: number } | null }
    | { __typename: 'InputError', field: string | null, message: string }
    | { __typename: 'QuotaExceeded', message: string }
   };

export type CancelExecutionMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelExecutionMutation = { cancelExecution:
    | { __typename: 'AuthError', message: string }
    | { __typename: 'Execution', id: string, status: ExecutionStatus, runtime: string, script: string, stdin: string | null, interactive: boolean, exitCode: number | null, outputTruncated: boolean, errorMessage: string | null, traceId: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, lastSeq: number, limits: { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number }, usage: { cpuTimeMs: number, peakMemoryKib: number, wallTimeMs: number } | null }
    | { __typename: 'ExecutionNotFound', message: string }
   };

export type ExecutionEventsSubscriptionVariables = Exact<{
  id: string | number;
  afterSeq: number;
}>;


export type ExecutionEventsSubscription = { executionEvents:
    | { __typename: 'OutputEvent', seq: number, at: string, stream: OutputStream, data: string }
    | { __typename: 'StatusEvent', seq: number, at: string, status: ExecutionStatus, exitCode: number | null, message: string | null }
   };

export type SendExecutionInputMutationVariables = Exact<{
  id: string | number;
  data: string;
  eof?: boolean | null | undefined;
}>;


export type SendExecutionInputMutation = { sendExecutionInput:
    | { __typename: 'AuthError', message: string }
    | { __typename: 'ExecutionNotFound', message: string }
    | { __typename: 'ExecutionNotRunning', message: string }
    | { __typename: 'InputAccepted', id: string, seq: number, bytes: number, eof: boolean }
    | { __typename: 'InputError', message: string }
    | { __typename: 'StdinClosed', message: string }
   };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const LimitsFieldsFragmentDoc = new TypedDocumentString(`
    fragment LimitsFields on Limits {
  timeoutSeconds
  memoryMib
  cpuMillicores
  maxProcesses
  maxOutputBytes
  diskMib
}
    `, {"fragmentName":"LimitsFields"}) as unknown as TypedDocumentString<LimitsFieldsFragment, unknown>;
export const ExecutionFieldsFragmentDoc = new TypedDocumentString(`
    fragment ExecutionFields on Execution {
  id
  status
  runtime
  script
  stdin
  interactive
  exitCode
  outputTruncated
  errorMessage
  traceId
  createdAt
  startedAt
  finishedAt
  lastSeq
  limits {
    ...LimitsFields
  }
  usage {
    cpuTimeMs
    peakMemoryKib
    wallTimeMs
  }
}
    fragment LimitsFields on Limits {
  timeoutSeconds
  memoryMib
  cpuMillicores
  maxProcesses
  maxOutputBytes
  diskMib
}`, {"fragmentName":"ExecutionFields"}) as unknown as TypedDocumentString<ExecutionFieldsFragment, unknown>;
export const EditorSetupDocument = new TypedDocumentString(`
    query EditorSetup {
  runtimes {
    id
    language
    version
    default
    aliases
  }
  limitsPolicy {
    defaults {
      ...LimitsFields
    }
    maximums {
      ...LimitsFields
    }
    minimums {
      ...LimitsFields
    }
  }
}
    fragment LimitsFields on Limits {
  timeoutSeconds
  memoryMib
  cpuMillicores
  maxProcesses
  maxOutputBytes
  diskMib
}`) as unknown as TypedDocumentString<EditorSetupQuery, EditorSetupQueryVariables>;
export const ExecutionDocument = new TypedDocumentString(`
    query Execution($id: ID!) {
  execution(id: $id) {
    ...ExecutionFields
  }
}
    fragment ExecutionFields on Execution {
  id
  status
  runtime
  script
  stdin
  interactive
  exitCode
  outputTruncated
  errorMessage
  traceId
  createdAt
  startedAt
  finishedAt
  lastSeq
  limits {
    ...LimitsFields
  }
  usage {
    cpuTimeMs
    peakMemoryKib
    wallTimeMs
  }
}
fragment LimitsFields on Limits {
  timeoutSeconds
  memoryMib
  cpuMillicores
  maxProcesses
  maxOutputBytes
  diskMib
}`) as unknown as TypedDocumentString<ExecutionQuery, ExecutionQueryVariables>;
export const ExecuteScriptDocument = new TypedDocumentString(`
    mutation ExecuteScript($input: ExecuteScriptInput!) {
  executeScript(input: $input) {
    __typename
    ... on Execution {
      ...ExecutionFields
    }
    ... on InputError {
      field
    }
    ... on Error {
      message
    }
  }
}
    fragment ExecutionFields on Execution {
  id
  status
  runtime
  script
  stdin
  interactive
  exitCode
  outputTruncated
  errorMessage
  traceId
  createdAt
  startedAt
  finishedAt
  lastSeq
  limits {
    ...LimitsFields
  }
  usage {
    cpuTimeMs
    peakMemoryKib
    wallTimeMs
  }
}
fragment LimitsFields on Limits {
  timeoutSeconds
  memoryMib
  cpuMillicores
  maxProcesses
  maxOutputBytes
  diskMib
}`) as unknown as TypedDocumentString<ExecuteScriptMutation, ExecuteScriptMutationVariables>;
export const CancelExecutionDocument = new TypedDocumentString(`
    mutation CancelExecution($id: ID!) {
  cancelExecution(id: $id) {
    __typename
    ... on Execution {
      ...ExecutionFields
    }
    ... on Error {
      message
    }
  }
}
    fragment ExecutionFields on Execution {
  id
  status
  runtime
  script
  stdin
  interactive
  exitCode
  outputTruncated
  errorMessage
  traceId
  createdAt
  startedAt
  finishedAt
  lastSeq
  limits {
    ...LimitsFields
  }
  usage {
    cpuTimeMs
    peakMemoryKib
    wallTimeMs
  }
}
fragment LimitsFields on Limits {
  timeoutSeconds
  memoryMib
  cpuMillicores
  maxProcesses
  maxOutputBytes
  diskMib
}`) as unknown as TypedDocumentString<CancelExecutionMutation, CancelExecutionMutationVariables>;
export const ExecutionEventsDocument = new TypedDocumentString(`
    subscription ExecutionEvents($id: ID!, $afterSeq: Int!) {
  executionEvents(id: $id, afterSeq: $afterSeq) {
    __typename
    ... on StatusEvent {
      seq
      at
      status
      exitCode
      message
    }
    ... on OutputEvent {
      seq
      at
      stream
      data
    }
  }
}
    `) as unknown as TypedDocumentString<ExecutionEventsSubscription, ExecutionEventsSubscriptionVariables>;
export const SendExecutionInputDocument = new TypedDocumentString(`
    mutation SendExecutionInput($id: ID!, $data: String!, $eof: Boolean) {
  sendExecutionInput(id: $id, data: $data, eof: $eof) {
    __typename
    ... on InputAccepted {
      id
      seq
      bytes
      eof
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<SendExecutionInputMutation, SendExecutionInputMutationVariables>;