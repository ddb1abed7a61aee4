/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment ExecutionFields on Execution {\n    id\n    status\n    runtime\n    script\n    stdin\n    interactive\n    exitCode\n    outputTruncated\n    errorMessage\n    traceId\n    createdAt\n    startedAt\n    finishedAt\n    lastSeq\n    limits {\n      ...LimitsFields\n    }\n    usage {\n      cpuTimeMs\n      peakMemoryKib\n      wallTimeMs\n    }\n  }\n": typeof types.ExecutionFieldsFragmentDoc,
    "\n  fragment LimitsFields on Limits {\n    timeoutSeconds\n    memoryMib\n    cpuMillicores\n    maxProcesses\n    maxOutputBytes\n    diskMib\n  }\n": typeof types.LimitsFieldsFragmentDoc,
    "\n  query EditorSetup {\n    runtimes {\n      id\n      language\n      version\n      default\n      aliases\n    }\n    limitsPolicy {\n      defaults {\n        ...LimitsFields\n      }\n      maximums {\n        ...LimitsFields\n      }\n      minimums {\n        ...LimitsFields\n      }\n    }\n  }\n": typeof types.EditorSetupDocument,
    "\n  query Execution($id: ID!) {\n    execution(id: $id) {\n      ...ExecutionFields\n    }\n  }\n": typeof types.ExecutionDocument,
    "\n  mutation ExecuteScript($input: ExecuteScriptInput!) {\n    executeScript(input: $input) {\n      __typename\n      ... on Execution {\n        ...ExecutionFields\n      }\n      ... on InputError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ExecuteScriptDocument,
    "\n  mutation CancelExecution($id: ID!) {\n    cancelExecution(id: $id) {\n      __typename\n      ... on Execution {\n        ...ExecutionFields\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.CancelExecutionDocument,
    "\n  subscription ExecutionEvents($id: ID!, $afterSeq: Int!) {\n    executionEvents(id: $id, afterSeq: $afterSeq) {\n      __typename\n      ... on StatusEvent {\n        seq\n        at\n        status\n        exitCode\n        message\n      }\n      ... on OutputEvent {\n        seq\n        at\n        stream\n        data\n      }\n    }\n  }\n": typeof types.ExecutionEventsDocument,
    "\n  mutation SendExecutionInput($id: ID!, $data: String!, $eof: Boolean) {\n    sendExecutionInput(id: $id, data: $data, eof: $eof) {\n      __typename\n      ... on InputAccepted {\n        id\n        seq\n        bytes\n        eof\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.SendExecutionInputDocument,
};
const documents: Documents = {
    "\n  fragment ExecutionFields on Execution {\n    id\n    status\n    runtime\n    script\n    stdin\n    interactive\n    exitCode\n    outputTruncated\n    errorMessage\n    traceId\n    createdAt\n    startedAt\n    finishedAt\n    lastSeq\n    limits {\n      ...LimitsFields\n    }\n    usage {\n      cpuTimeMs\n      peakMemoryKib\n      wallTimeMs\n    }\n  }\n": types.ExecutionFieldsFragmentDoc,
    "\n  fragment LimitsFields on Limits {\n    timeoutSeconds\n    memoryMib\n    cpuMillicores\n    maxProcesses\n    maxOutputBytes\n    diskMib\n  }\n": types.LimitsFieldsFragmentDoc,
    "\n  query EditorSetup {\n    runtimes {\n      id\n      language\n      version\n      default\n      aliases\n    }\n    limitsPolicy {\n      defaults {\n        ...LimitsFields\n      }\n      maximums {\n        ...LimitsFields\n      }\n      minimums {\n        ...LimitsFields\n      }\n    }\n  }\n": types.EditorSetupDocument,
    "\n  query Execution($id: ID!) {\n    execution(id: $id) {\n      ...ExecutionFields\n    }\n  }\n": types.ExecutionDocument,
    "\n  mutation ExecuteScript($input: ExecuteScriptInput!) {\n    executeScript(input: $input) {\n      __typename\n      ... on Execution {\n        ...ExecutionFields\n      }\n      ... on InputError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ExecuteScriptDocument,
    "\n  mutation CancelExecution($id: ID!) {\n    cancelExecution(id: $id) {\n      __typename\n      ... on Execution {\n        ...ExecutionFields\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.CancelExecutionDocument,
    "\n  subscription ExecutionEvents($id: ID!, $afterSeq: Int!) {\n    executionEvents(id: $id, afterSeq: $afterSeq) {\n      __typename\n      ... on StatusEvent {\n        seq\n        at\n        status\n        exitCode\n        message\n      }\n      ... on OutputEvent {\n        seq\n        at\n        stream\n        data\n      }\n    }\n  }\n": types.ExecutionEventsDocument,
    "\n  mutation SendExecutionInput($id: ID!, $data: String!, $eof: Boolean) {\n    sendExecutionInput(id: $id, data: $data, eof: $eof) {\n      __typename\n      ... on InputAccepted {\n        id\n        seq\n        bytes\n        eof\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.SendExecutionInputDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ExecutionFields on Execution {\n    id\n    status\n    runtime\n    script\n    stdin\n    interactive\n    exitCode\n    outputTruncated\n    errorMessage\n    traceId\n    createdAt\n    startedAt\n    finishedAt\n    lastSeq\n    limits {\n      ...LimitsFields\n    }\n    usage {\n      cpuTimeMs\n      peakMemoryKib\n      wallTimeMs\n    }\n  }\n"): typeof import('./graphql').ExecutionFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LimitsFields on Limits {\n    timeoutSeconds\n    memoryMib\n    cpuMillicores\n    maxProcesses\n    maxOutputBytes\n    diskMib\n  }\n"): typeof import('./graphql').LimitsFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EditorSetup {\n    runtimes {\n      id\n      language\n      version\n      default\n      aliases\n    }\n    limitsPolicy {\n      defaults {\n        ...LimitsFields\n      }\n      maximums {\n        ...LimitsFields\n      }\n      minimums {\n        ...LimitsFields\n      }\n    }\n  }\n"): typeof import('./graphql').EditorSetupDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Execution($id: ID!) {\n    execution(id: $id) {\n      ...ExecutionFields\n    }\n  }\n"): typeof import('./graphql').ExecutionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExecuteScript($input: ExecuteScriptInput!) {\n    executeScript(input: $input) {\n      __typename\n      ... on Execution {\n        ...ExecutionFields\n      }\n      ... on InputError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): typeof import('./graphql').ExecuteScriptDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelExecution($id: ID!) {\n    cancelExecution(id: $id) {\n      __typename\n      ... on Execution {\n        ...ExecutionFields\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): typeof import('./graphql').CancelExecutionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ExecutionEvents($id: ID!, $afterSeq: Int!) {\n    executionEvents(id: $id, afterSeq: $afterSeq) {\n      __typename\n      ... on StatusEvent {\n        seq\n        at\n        status\n        exitCode\n        message\n      }\n      ... on OutputEvent {\n        seq\n        at\n        stream\n        data\n      }\n    }\n  }\n"): typeof import('./graphql').ExecutionEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendExecutionInput($id: ID!, $data: String!, $eof: Boolean) {\n    sendExecutionInput(id: $id, data: $data, eof: $eof) {\n      __typename\n      ... on InputAccepted {\n        id\n        seq\n        bytes\n        eof\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): typeof import('./graphql').SendExecutionInputDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
