/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** An environment variable of the script. */
export type EnvVarInput = {
  name: string;
  value: string;
};

export type ExecuteScriptInput = {
  /** The script's arguments (sys.argv[1:]). */
  argv?: Array<string> | null | undefined;
  /** POSTed when the execution ends (Standard Webhooks signed with the execution's `callbackSecret`; retried until it answers 2xx, see docs/webhooks.md). */
  callbackUrl?: string | null | undefined;
  /** Environment variables; names that change how the interpreter or the sandbox behaves (PYTHON*, LD_*, LC_*, PATH, HOME…) are refused. */
  env?: Array<EnvVarInput> | null | undefined;
  /** What stdout should be: the execution's `outputMatches` says whether it was. */
  expectedStdout?: string | null | undefined;
  /** Placed under /work before the script starts; together at most the run's disk limit. */
  files?: Array<FileInput> | null | undefined;
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
  /** How stdout is compared with expectedStdout. */
  stdoutComparison?: OutputComparison | null | undefined;
  /** Run on this workspace of the caller's: its files are in /work at the start (`files` over them), and when the script ends on its own (COMPLETED or FAILED) what it left there becomes the workspace. Runs on one workspace take turns. */
  workspaceId?: string | number | null | undefined;
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

/** How `FileInput.content` is written. */
export type FileEncoding =
  | 'BASE64'
  | 'UTF8';

/** A file placed under /work before the run. */
export type FileInput = {
  content: string;
  encoding?: FileEncoding | null | undefined;
  /** Relative to /work, with / between directories; no '..', no NUL. */
  path: string;
};

/** Limits to ask for; omitted fields take the server defaults. */
export type LimitsInput = {
  cpuMillicores?: number | null | undefined;
  diskMib?: number | null | undefined;
  maxOutputBytes?: number | null | undefined;
  maxProcesses?: number | null | undefined;
  memoryMib?: number | null | undefined;
  timeoutSeconds?: number | null | undefined;
};

export type LoginInput = {
  password: string;
  username: string;
};

/** How stdout is compared with expectedStdout: EXACT, or IGNORE_TRAILING_WHITESPACE (each line's trailing whitespace and trailing empty lines). */
export type OutputComparison =
  | 'EXACT'
  | 'IGNORE_TRAILING_WHITESPACE';

export type OutputStream =
  | 'STDERR'
  | 'STDOUT';

export type RegisterInput = {
  email?: string | null | undefined;
  /** 8-256 characters. */
  password: string;
  /** 3-40 of a-z 0-9 _ . - */
  username: string;
};

/** What a user may do. */
export type Role =
  | 'ADMIN'
  | 'USER';

export type RunTestCasesInput = {
  cases: Array<TestCaseInput>;
  limits?: LimitsInput | null | undefined;
  runtime?: string | null | undefined;
  script: string;
  /** How each case's stdout is compared. */
  stdoutComparison?: OutputComparison | null | undefined;
  /** Answer once every case has ended (bounded by the largest timeout and a minute); otherwise at once, with the cases queued. */
  wait?: boolean | null | undefined;
};

/** READY runs scripts; BUILDING and FAILED are listed but not offered. */
export type RuntimeState =
  | 'BUILDING'
  | 'FAILED'
  | 'READY';

/** A script to save. */
export type SavedScriptInput = {
  limits?: LimitsInput | null | undefined;
  name: string;
  runtime?: string | null | undefined;
  script: string;
  stdin?: string | null | undefined;
};

/** Changes to a saved script; omitted fields stay as they are. */
export type SavedScriptPatch = {
  limits?: LimitsInput | null | undefined;
  name?: string | null | undefined;
  runtime?: string | null | undefined;
  script?: string | null | undefined;
  stdin?: string | null | undefined;
};

export type TestCaseInput = {
  expectedStdout: string;
  stdin?: string | null | undefined;
};

export type UserFieldsFragment = { id: string, username: string, email: string | null, role: Role };

type SessionFields_AuthError_Fragment = { __typename: 'AuthError', message: string };

type SessionFields_AuthPayload_Fragment = { __typename: 'AuthPayload', accessToken: string, refreshToken: string, expiresIn: number, user: { id: string, username: string, email: string | null, role: Role } };

type SessionFields_InputError_Fragment = { __typename: 'InputError', field: string | null, message: string };

export type SessionFieldsFragment =
  | SessionFields_AuthError_Fragment
  | SessionFields_AuthPayload_Fragment
  | SessionFields_InputError_Fragment
;

export type LoginMutationVariables = Exact<{
  input: LoginInput;
}>;


export type LoginMutation = { login:
    | { __typename: 'AuthError', message: string }
    | { __typename: 'AuthPayload', accessToken: string, refreshToken: string, expiresIn: number, user: { id: string, username: string, email: string | null, role: Role } }
    | { __typename: 'InputError', field: string | null, message: string }
   };

export type RegisterMutationVariables = Exact<{
  input: RegisterInput;
}>;


export type RegisterMutation = { register:
    | { __typename: 'AuthError', message: string }
    | { __typename: 'AuthPayload', accessToken: string, refreshToken: string, expiresIn: number, user: { id: string, username: string, email: string | null, role: Role } }
    | { __typename: 'InputError', field: string | null, message: string }
   };

export type RefreshTokenMutationVariables = Exact<{
  refreshToken: string;
}>;


export type RefreshTokenMutation = { refreshToken:
    | { __typename: 'AuthError', message: string }
    | { __typename: 'AuthPayload', accessToken: string, refreshToken: string, expiresIn: number, user: { id: string, username: string, email: string | null, role: Role } }
    | { __typename: 'InputError', field: string | null, message: string }
   };

export type LogoutMutationVariables = Exact<{
  refreshToken: string;
}>;


export type LogoutMutation = { logout: boolean };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, username: string, email: string | null, role: Role } | null };

export type ExecutionFieldsFragment = { id: string, status: ExecutionStatus, runtime: string, script: string, stdin: string | null, interactive: boolean, exitCode: number | null, outputTruncated: boolean, errorMessage: string | null, traceId: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, lastSeq: number, limits: { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number }, usage: { cpuTimeMs: number, peakMemoryKib: number, wallTimeMs: number } | null, outputFiles: Array<{ path: string, size: number, sha256: string, contentType: string, url: string }>, skippedFiles: Array<{ path: string, reason: string }> };

export type LimitsFieldsFragment = { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number };

export type EditorSetupQueryVariables = Exact<{ [key: string]: never; }>;


export type EditorSetupQuery = { runtimes: Array<{ id: string, language: string, version: string, default: boolean, aliases: Array<string>, description: string | null, environment: string | null, status: { state: RuntimeState, message: string | null }, packages: Array<{ name: string, version: string }> }>, limitsPolicy: { defaults: { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number }, maximums: { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number }, minimums: { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number } } };

export type ExecutionQueryVariables = Exact<{
  id: string | number;
}>;


export type ExecutionQuery = { execution: { id: string, status: ExecutionStatus, runtime: string, script: string, stdin: string | null, interactive: boolean, exitCode: number | null, outputTruncated: boolean, errorMessage: string | null, traceId: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, lastSeq: number, limits: { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number }, usage: { cpuTimeMs: number, peakMemoryKib: number, wallTimeMs: number } | null, outputFiles: Array<{ path: string, size: number, sha256: string, contentType: string, url: string }>, skippedFiles: Array<{ path: string, reason: string }> } | null };

export type ExecuteScriptMutationVariables = Exact<{
  input: ExecuteScriptInput;
}>;


export type ExecuteScriptMutation = { executeScript:
    | { __typename: 'AuthError', message: string }
    | { __typename: 'Execution', id: string, status: ExecutionStatus, runtime: string, script: string, stdin: string | null, interactive: boolean, exitCode: number | null, outputTruncated: boolean, errorMessage: string | null, traceId: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, lastSeq: number, limits: { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number }, usage: { cpuTimeMs: number, peakMemoryKib: number, wallTimeMs: number } | null, outputFiles: Array<{ path: string, size: number, sha256: string, contentType: string, url: string }>, skippedFiles: Array<{ path: string, reason: string }> }
    | { __typename: 'InputError', field: string | null, message: string }
    | { __typename: 'QuotaExceeded', message: string }
   };

export type CancelExecutionMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelExecutionMutation = { cancelExecution:
    | { __typename: 'AuthError', message: string }
    | { __typename: 'Execution', id: string, status: ExecutionStatus, runtime: string, script: string, stdin: string | null, interactive: boolean, exitCode: number | null, outputTruncated: boolean, errorMessage: string | null, traceId: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, lastSeq: number, limits: { timeoutSeconds: number, memoryMib: number, cpuMillicores: number, maxProcesses: number, maxOutputBytes: number, diskMib: number }, usage: { cpuTimeMs: number, peakMemoryKib: number, wallTimeMs: number } | null, outputFiles: Array<{ path: string, size: number, sha256: string, contentType: string, url: string }>, skippedFiles: Array<{ path: string, reason: string }> }
    | { __typename: 'ExecutionNotFound', message: string }
   };

export type ExecutionEventsSubscriptionVariables = Exact<{
  id: string | number;
  afterSeq: number;
}>;


export type ExecutionEventsSubscription = { executionEvents:
    | { __typename: 'DisplayEvent', seq: number, at: string, mimeType: string, data: string }
    | { __typename: 'FileEvent', seq: number, at: string, file: { path: string, size: number, contentType: string, url: string } }
    | { __typename: 'OutputEvent', seq: number, at: string, stream: OutputStream, data: string }
    | { __typename: 'StatusEvent', seq: number, at: string, status: ExecutionStatus, exitCode: number | null, message: string | null }
   };

export type HistoryQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  status?: Array<ExecutionStatus> | ExecutionStatus | null | undefined;
  runtime?: string | null | undefined;
  createdAfter?: string | null | undefined;
  createdBefore?: string | null | undefined;
}>;


export type HistoryQuery = { executions: { edges: Array<{ cursor: string, node: { id: string, status: ExecutionStatus, runtime: string, script: string, exitCode: number | null, createdAt: string, finishedAt: string | null, usage: { wallTimeMs: number } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type SavedScriptFieldsFragment = { id: string, name: string, script: string, runtime: string | null, stdin: string | null, createdAt: string, updatedAt: string, limits: { timeoutSeconds: number | null, memoryMib: number | null, cpuMillicores: number | null, maxProcesses: number | null, maxOutputBytes: number | null, diskMib: number | null } | null };

export type SavedScriptsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SavedScriptsQuery = { savedScripts: { edges: Array<{ cursor: string, node: { id: string, name: string, script: string, runtime: string | null, stdin: string | null, createdAt: string, updatedAt: string, limits: { timeoutSeconds: number | null, memoryMib: number | null, cpuMillicores: number | null, maxProcesses: number | null, maxOutputBytes: number | null, diskMib: number | null } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type SavedScriptQueryVariables = Exact<{
  id: string | number;
}>;


export type SavedScriptQuery = { savedScript: { id: string, name: string, script: string, runtime: string | null, stdin: string | null, createdAt: string, updatedAt: string, limits: { timeoutSeconds: number | null, memoryMib: number | null, cpuMillicores: number | null, maxProcesses: number | null, maxOutputBytes: number | null, diskMib: number | null } | null } | null };

export type CreateSavedScriptMutationVariables = Exact<{
  input: SavedScriptInput;
}>;


export type CreateSavedScriptMutation = { createSavedScript:
    | { __typename: 'AuthError', message: string }
    | { __typename: 'InputError', message: string }
    | { __typename: 'SavedScript', id: string, name: string, script: string, runtime: string | null, stdin: string | null, createdAt: string, updatedAt: string, limits: { timeoutSeconds: number | null, memoryMib: number | null, cpuMillicores: number | null, maxProcesses: number | null, maxOutputBytes: number | null, diskMib: number | null } | null }
    | { __typename: 'SavedScriptNotFound', message: string }
   };

export type UpdateSavedScriptMutationVariables = Exact<{
  id: string | number;
  input: SavedScriptPatch;
}>;


export type UpdateSavedScriptMutation = { updateSavedScript:
    | { __typename: 'AuthError', message: string }
    | { __typename: 'InputError', message: string }
    | { __typename: 'SavedScript', id: string, name: string, script: string, runtime: string | null, stdin: string | null, createdAt: string, updatedAt: string, limits: { timeoutSeconds: number | null, memoryMib: number | null, cpuMillicores: number | null, maxProcesses: number | null, maxOutputBytes: number | null, diskMib: number | null } | null }
    | { __typename: 'SavedScriptNotFound', message: string }
   };

export type DeleteSavedScriptMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteSavedScriptMutation = { deleteSavedScript: boolean };

export type RunSavedScriptMutationVariables = Exact<{
  id: string | number;
}>;


export type RunSavedScriptMutation = { runSavedScript:
    | { __typename: 'AuthError', message: string }
    | { __typename: 'Execution', id: string }
    | { __typename: 'InputError', message: string }
    | { __typename: 'QuotaExceeded', message: string }
    | { __typename: 'SavedScriptNotFound', message: string }
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

export type RunTestCasesMutationVariables = Exact<{
  input: RunTestCasesInput;
}>;


export type RunTestCasesMutation = { runTestCases:
    | { __typename: 'AuthError', message: string }
    | { __typename: 'InputError', message: string }
    | { __typename: 'TestCasesRun', passed: number, failed: number, pending: number, refused: number, cases: Array<{ index: number, passed: boolean | null, result:
          | { __typename: 'AuthError', message: string }
          | { __typename: 'Execution', id: string, status: ExecutionStatus, stdout: string, stderr: string }
          | { __typename: 'InputError', message: string }
          | { __typename: 'QuotaExceeded', message: string }
         }> }
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
export const UserFieldsFragmentDoc = new TypedDocumentString(`
    fragment UserFields on User {
  id
  username
  email
  role
}
    `, {"fragmentName":"UserFields"}) as unknown as TypedDocumentString<UserFieldsFragment, unknown>;
export const SessionFieldsFragmentDoc = new TypedDocumentString(`
    fragment SessionFields on AuthResult {
  __typename
  ... on AuthPayload {
    accessToken
    refreshToken
    expiresIn
    user {
      ...UserFields
    }
  }
  ... on InputError {
    field
  }
  ... on Error {
    message
  }
}
    fragment UserFields on User {
  id
  username
  email
  role
}`, {"fragmentName":"SessionFields"}) as unknown as TypedDocumentString<SessionFieldsFragment, unknown>;
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
  outputFiles {
    path
    size
    sha256
    contentType
    url
  }
  skippedFiles {
    path
    reason
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
export const SavedScriptFieldsFragmentDoc = new TypedDocumentString(`
    fragment SavedScriptFields on SavedScript {
  id
  name
  script
  runtime
  stdin
  limits {
    timeoutSeconds
    memoryMib
    cpuMillicores
    maxProcesses
    maxOutputBytes
    diskMib
  }
  createdAt
  updatedAt
}
    `, {"fragmentName":"SavedScriptFields"}) as unknown as TypedDocumentString<SavedScriptFieldsFragment, unknown>;
export const LoginDocument = new TypedDocumentString(`
    mutation Login($input: LoginInput!) {
  login(input: $input) {
    ...SessionFields
  }
}
    fragment UserFields on User {
  id
  username
  email
  role
}
fragment SessionFields on AuthResult {
  __typename
  ... on AuthPayload {
    accessToken
    refreshToken
    expiresIn
    user {
      ...UserFields
    }
  }
  ... on InputError {
    field
  }
  ... on Error {
    message
  }
}`) as unknown as TypedDocumentString<LoginMutation, LoginMutationVariables>;
export const RegisterDocument = new TypedDocumentString(`
    mutation Register($input: RegisterInput!) {
  register(input: $input) {
    ...SessionFields
  }
}
    fragment UserFields on User {
  id
  username
  email
  role
}
fragment SessionFields on AuthResult {
  __typename
  ... on AuthPayload {
    accessToken
    refreshToken
    expiresIn
    user {
      ...UserFields
    }
  }
  ... on InputError {
    field
  }
  ... on Error {
    message
  }
}`) as unknown as TypedDocumentString<RegisterMutation, RegisterMutationVariables>;
export const RefreshTokenDocument = new TypedDocumentString(`
    mutation RefreshToken($refreshToken: String!) {
  refreshToken(refreshToken: $refreshToken) {
    ...SessionFields
  }
}
    fragment UserFields on User {
  id
  username
  email
  role
}
fragment SessionFields on AuthResult {
  __typename
  ... on AuthPayload {
    accessToken
    refreshToken
    expiresIn
    user {
      ...UserFields
    }
  }
  ... on InputError {
    field
  }
  ... on Error {
    message
  }
}`) as unknown as TypedDocumentString<RefreshTokenMutation, RefreshTokenMutationVariables>;
export const LogoutDocument = new TypedDocumentString(`
    mutation Logout($refreshToken: String!) {
  logout(refreshToken: $refreshToken)
}
    `) as unknown as TypedDocumentString<LogoutMutation, LogoutMutationVariables>;
export const MeDocument = new TypedDocumentString(`
    query Me {
  me {
    ...UserFields
  }
}
    fragment UserFields on User {
  id
  username
  email
  role
}`) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const EditorSetupDocument = new TypedDocumentString(`
    query EditorSetup {
  runtimes {
    id
    language
    version
    default
    aliases
    description
    environment
    status {
      state
      message
    }
    packages {
      name
      version
    }
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
  outputFiles {
    path
    size
    sha256
    contentType
    url
  }
  skippedFiles {
    path
    reason
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
  outputFiles {
    path
    size
    sha256
    contentType
    url
  }
  skippedFiles {
    path
    reason
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
  outputFiles {
    path
    size
    sha256
    contentType
    url
  }
  skippedFiles {
    path
    reason
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
    ... on DisplayEvent {
      seq
      at
      mimeType
      data
    }
    ... on FileEvent {
      seq
      at
      file {
        path
        size
        contentType
        url
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ExecutionEventsSubscription, ExecutionEventsSubscriptionVariables>;
export const HistoryDocument = new TypedDocumentString(`
    query History($first: Int, $after: String, $status: [ExecutionStatus!], $runtime: String, $createdAfter: DateTime, $createdBefore: DateTime) {
  executions(
    first: $first
    after: $after
    status: $status
    runtime: $runtime
    createdAfter: $createdAfter
    createdBefore: $createdBefore
  ) {
    edges {
      cursor
      node {
        id
        status
        runtime
        script
        exitCode
        createdAt
        finishedAt
        usage {
          wallTimeMs
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<HistoryQuery, HistoryQueryVariables>;
export const SavedScriptsDocument = new TypedDocumentString(`
    query SavedScripts($first: Int, $after: String) {
  savedScripts(first: $first, after: $after) {
    edges {
      cursor
      node {
        ...SavedScriptFields
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment SavedScriptFields on SavedScript {
  id
  name
  script
  runtime
  stdin
  limits {
    timeoutSeconds
    memoryMib
    cpuMillicores
    maxProcesses
    maxOutputBytes
    diskMib
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<SavedScriptsQuery, SavedScriptsQueryVariables>;
export const SavedScriptDocument = new TypedDocumentString(`
    query SavedScript($id: ID!) {
  savedScript(id: $id) {
    ...SavedScriptFields
  }
}
    fragment SavedScriptFields on SavedScript {
  id
  name
  script
  runtime
  stdin
  limits {
    timeoutSeconds
    memoryMib
    cpuMillicores
    maxProcesses
    maxOutputBytes
    diskMib
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<SavedScriptQuery, SavedScriptQueryVariables>;
export const CreateSavedScriptDocument = new TypedDocumentString(`
    mutation CreateSavedScript($input: SavedScriptInput!) {
  createSavedScript(input: $input) {
    __typename
    ... on SavedScript {
      ...SavedScriptFields
    }
    ... on Error {
      message
    }
  }
}
    fragment SavedScriptFields on SavedScript {
  id
  name
  script
  runtime
  stdin
  limits {
    timeoutSeconds
    memoryMib
    cpuMillicores
    maxProcesses
    maxOutputBytes
    diskMib
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CreateSavedScriptMutation, CreateSavedScriptMutationVariables>;
export const UpdateSavedScriptDocument = new TypedDocumentString(`
    mutation UpdateSavedScript($id: ID!, $input: SavedScriptPatch!) {
  updateSavedScript(id: $id, input: $input) {
    __typename
    ... on SavedScript {
      ...SavedScriptFields
    }
    ... on Error {
      message
    }
  }
}
    fragment SavedScriptFields on SavedScript {
  id
  name
  script
  runtime
  stdin
  limits {
    timeoutSeconds
    memoryMib
    cpuMillicores
    maxProcesses
    maxOutputBytes
    diskMib
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<UpdateSavedScriptMutation, UpdateSavedScriptMutationVariables>;
export const DeleteSavedScriptDocument = new TypedDocumentString(`
    mutation DeleteSavedScript($id: ID!) {
  deleteSavedScript(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteSavedScriptMutation, DeleteSavedScriptMutationVariables>;
export const RunSavedScriptDocument = new TypedDocumentString(`
    mutation RunSavedScript($id: ID!) {
  runSavedScript(id: $id) {
    __typename
    ... on Execution {
      id
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<RunSavedScriptMutation, RunSavedScriptMutationVariables>;
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
export const RunTestCasesDocument = new TypedDocumentString(`
    mutation RunTestCases($input: RunTestCasesInput!) {
  runTestCases(input: $input) {
    __typename
    ... on TestCasesRun {
      passed
      failed
      pending
      refused
      cases {
        index
        passed
        result {
          __typename
          ... on Execution {
            id
            status
            stdout
            stderr
          }
          ... on Error {
            message
          }
        }
      }
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<RunTestCasesMutation, RunTestCasesMutationVariables>;