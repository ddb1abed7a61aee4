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
    "\n  fragment UserFields on User {\n    id\n    username\n    email\n    role\n  }\n": typeof types.UserFieldsFragmentDoc,
    "\n  fragment SessionFields on AuthResult {\n    __typename\n    ... on AuthPayload {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...UserFields\n      }\n    }\n    ... on InputError {\n      field\n    }\n    ... on Error {\n      message\n    }\n  }\n": typeof types.SessionFieldsFragmentDoc,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...SessionFields\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...SessionFields\n    }\n  }\n": typeof types.RegisterDocument,
    "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...SessionFields\n    }\n  }\n": typeof types.RefreshTokenDocument,
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": typeof types.LogoutDocument,
    "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n": typeof types.MeDocument,
    "\n  fragment ExecutionFields on Execution {\n    id\n    status\n    runtime\n    script\n    stdin\n    interactive\n    exitCode\n    outputTruncated\n    errorMessage\n    traceId\n    createdAt\n    startedAt\n    finishedAt\n    lastSeq\n    limits {\n      ...LimitsFields\n    }\n    usage {\n      cpuTimeMs\n      peakMemoryKib\n      wallTimeMs\n    }\n    outputFiles {\n      path\n      size\n      sha256\n      contentType\n      url\n    }\n    skippedFiles {\n      path\n      reason\n    }\n  }\n": typeof types.ExecutionFieldsFragmentDoc,
    "\n  fragment LimitsFields on Limits {\n    timeoutSeconds\n    memoryMib\n    cpuMillicores\n    maxProcesses\n    maxOutputBytes\n    diskMib\n  }\n": typeof types.LimitsFieldsFragmentDoc,
    "\n  query EditorSetup {\n    runtimes {\n      id\n      language\n      version\n      default\n      aliases\n      description\n      environment\n      status {\n        state\n        message\n      }\n      packages {\n        name\n        version\n      }\n    }\n    limitsPolicy {\n      defaults {\n        ...LimitsFields\n      }\n      maximums {\n        ...LimitsFields\n      }\n      minimums {\n        ...LimitsFields\n      }\n    }\n  }\n": typeof types.EditorSetupDocument,
    "\n  query Execution($id: ID!) {\n    execution(id: $id) {\n      ...ExecutionFields\n    }\n  }\n": typeof types.ExecutionDocument,
    "\n  mutation ExecuteScript($input: ExecuteScriptInput!) {\n    executeScript(input: $input) {\n      __typename\n      ... on Execution {\n        ...ExecutionFields\n      }\n      ... on InputError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ExecuteScriptDocument,
    "\n  mutation CancelExecution($id: ID!) {\n    cancelExecution(id: $id) {\n      __typename\n      ... on Execution {\n        ...ExecutionFields\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.CancelExecutionDocument,
    "\n  subscription ExecutionEvents($id: ID!, $afterSeq: Int!) {\n    executionEvents(id: $id, afterSeq: $afterSeq) {\n      __typename\n      ... on StatusEvent {\n        seq\n        at\n        status\n        exitCode\n        message\n      }\n      ... on OutputEvent {\n        seq\n        at\n        stream\n        data\n      }\n      ... on DisplayEvent {\n        seq\n        at\n        mimeType\n        data\n      }\n      ... on FileEvent {\n        seq\n        at\n        file {\n          path\n          size\n          contentType\n          url\n        }\n      }\n    }\n  }\n": typeof types.ExecutionEventsDocument,
    "\n  query History(\n    $first: Int\n    $after: String\n    $status: [ExecutionStatus!]\n    $runtime: String\n    $createdAfter: DateTime\n    $createdBefore: DateTime\n  ) {\n    executions(\n      first: $first\n      after: $after\n      status: $status\n      runtime: $runtime\n      createdAfter: $createdAfter\n      createdBefore: $createdBefore\n    ) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          runtime\n          script\n          exitCode\n          createdAt\n          finishedAt\n          usage {\n            wallTimeMs\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.HistoryDocument,
    "\n  fragment SavedScriptFields on SavedScript {\n    id\n    name\n    script\n    runtime\n    stdin\n    limits {\n      timeoutSeconds\n      memoryMib\n      cpuMillicores\n      maxProcesses\n      maxOutputBytes\n      diskMib\n    }\n    createdAt\n    updatedAt\n  }\n": typeof types.SavedScriptFieldsFragmentDoc,
    "\n  query SavedScripts($first: Int, $after: String) {\n    savedScripts(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...SavedScriptFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.SavedScriptsDocument,
    "\n  query SavedScript($id: ID!) {\n    savedScript(id: $id) {\n      ...SavedScriptFields\n    }\n  }\n": typeof types.SavedScriptDocument,
    "\n  mutation CreateSavedScript($input: SavedScriptInput!) {\n    createSavedScript(input: $input) {\n      __typename\n      ... on SavedScript {\n        ...SavedScriptFields\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.CreateSavedScriptDocument,
    "\n  mutation UpdateSavedScript($id: ID!, $input: SavedScriptPatch!) {\n    updateSavedScript(id: $id, input: $input) {\n      __typename\n      ... on SavedScript {\n        ...SavedScriptFields\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.UpdateSavedScriptDocument,
    "\n  mutation DeleteSavedScript($id: ID!) {\n    deleteSavedScript(id: $id)\n  }\n": typeof types.DeleteSavedScriptDocument,
    "\n  mutation RunSavedScript($id: ID!) {\n    runSavedScript(id: $id) {\n      __typename\n      ... on Execution {\n        id\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.RunSavedScriptDocument,
    "\n  mutation SendExecutionInput($id: ID!, $data: String!, $eof: Boolean) {\n    sendExecutionInput(id: $id, data: $data, eof: $eof) {\n      __typename\n      ... on InputAccepted {\n        id\n        seq\n        bytes\n        eof\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.SendExecutionInputDocument,
    "\n  mutation RunTestCases($input: RunTestCasesInput!) {\n    runTestCases(input: $input) {\n      __typename\n      ... on TestCasesRun {\n        passed\n        failed\n        pending\n        refused\n        cases {\n          index\n          passed\n          result {\n            __typename\n            ... on Execution {\n              id\n              status\n              stdout\n              stderr\n            }\n            ... on Error {\n              message\n            }\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.RunTestCasesDocument,
};
const documents: Documents = {
    "\n  fragment UserFields on User {\n    id\n    username\n    email\n    role\n  }\n": types.UserFieldsFragmentDoc,
    "\n  fragment SessionFields on AuthResult {\n    __typename\n    ... on AuthPayload {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...UserFields\n      }\n    }\n    ... on InputError {\n      field\n    }\n    ... on Error {\n      message\n    }\n  }\n": types.SessionFieldsFragmentDoc,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...SessionFields\n    }\n  }\n": types.LoginDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...SessionFields\n    }\n  }\n": types.RegisterDocument,
    "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...SessionFields\n    }\n  }\n": types.RefreshTokenDocument,
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": types.LogoutDocument,
    "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n": types.MeDocument,
    "\n  fragment ExecutionFields on Execution {\n    id\n    status\n    runtime\n    script\n    stdin\n    interactive\n    exitCode\n    outputTruncated\n    errorMessage\n    traceId\n    createdAt\n    startedAt\n    finishedAt\n    lastSeq\n    limits {\n      ...LimitsFields\n    }\n    usage {\n      cpuTimeMs\n      peakMemoryKib\n      wallTimeMs\n    }\n    outputFiles {\n      path\n      size\n      sha256\n      contentType\n      url\n    }\n    skippedFiles {\n      path\n      reason\n    }\n  }\n": types.ExecutionFieldsFragmentDoc,
    "\n  fragment LimitsFields on Limits {\n    timeoutSeconds\n    memoryMib\n    cpuMillicores\n    maxProcesses\n    maxOutputBytes\n    diskMib\n  }\n": types.LimitsFieldsFragmentDoc,
    "\n  query EditorSetup {\n    runtimes {\n      id\n      language\n      version\n      default\n      aliases\n      description\n      environment\n      status {\n        state\n        message\n      }\n      packages {\n        name\n        version\n      }\n    }\n    limitsPolicy {\n      defaults {\n        ...LimitsFields\n      }\n      maximums {\n        ...LimitsFields\n      }\n      minimums {\n        ...LimitsFields\n      }\n    }\n  }\n": types.EditorSetupDocument,
    "\n  query Execution($id: ID!) {\n    execution(id: $id) {\n      ...ExecutionFields\n    }\n  }\n": types.ExecutionDocument,
    "\n  mutation ExecuteScript($input: ExecuteScriptInput!) {\n    executeScript(input: $input) {\n      __typename\n      ... on Execution {\n        ...ExecutionFields\n      }\n      ... on InputError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ExecuteScriptDocument,
    "\n  mutation CancelExecution($id: ID!) {\n    cancelExecution(id: $id) {\n      __typename\n      ... on Execution {\n        ...ExecutionFields\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.CancelExecutionDocument,
    "\n  subscription ExecutionEvents($id: ID!, $afterSeq: Int!) {\n    executionEvents(id: $id, afterSeq: $afterSeq) {\n      __typename\n      ... on StatusEvent {\n        seq\n        at\n        status\n        exitCode\n        message\n      }\n      ... on OutputEvent {\n        seq\n        at\n        stream\n        data\n      }\n      ... on DisplayEvent {\n        seq\n        at\n        mimeType\n        data\n      }\n      ... on FileEvent {\n        seq\n        at\n        file {\n          path\n          size\n          contentType\n          url\n        }\n      }\n    }\n  }\n": types.ExecutionEventsDocument,
    "\n  query History(\n    $first: Int\n    $after: String\n    $status: [ExecutionStatus!]\n    $runtime: String\n    $createdAfter: DateTime\n    $createdBefore: DateTime\n  ) {\n    executions(\n      first: $first\n      after: $after\n      status: $status\n      runtime: $runtime\n      createdAfter: $createdAfter\n      createdBefore: $createdBefore\n    ) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          runtime\n          script\n          exitCode\n          createdAt\n          finishedAt\n          usage {\n            wallTimeMs\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.HistoryDocument,
    "\n  fragment SavedScriptFields on SavedScript {\n    id\n    name\n    script\n    runtime\n    stdin\n    limits {\n      timeoutSeconds\n      memoryMib\n      cpuMillicores\n      maxProcesses\n      maxOutputBytes\n      diskMib\n    }\n    createdAt\n    updatedAt\n  }\n": types.SavedScriptFieldsFragmentDoc,
    "\n  query SavedScripts($first: Int, $after: String) {\n    savedScripts(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...SavedScriptFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.SavedScriptsDocument,
    "\n  query SavedScript($id: ID!) {\n    savedScript(id: $id) {\n      ...SavedScriptFields\n    }\n  }\n": types.SavedScriptDocument,
    "\n  mutation CreateSavedScript($input: SavedScriptInput!) {\n    createSavedScript(input: $input) {\n      __typename\n      ... on SavedScript {\n        ...SavedScriptFields\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.CreateSavedScriptDocument,
    "\n  mutation UpdateSavedScript($id: ID!, $input: SavedScriptPatch!) {\n    updateSavedScript(id: $id, input: $input) {\n      __typename\n      ... on SavedScript {\n        ...SavedScriptFields\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.UpdateSavedScriptDocument,
    "\n  mutation DeleteSavedScript($id: ID!) {\n    deleteSavedScript(id: $id)\n  }\n": types.DeleteSavedScriptDocument,
    "\n  mutation RunSavedScript($id: ID!) {\n    runSavedScript(id: $id) {\n      __typename\n      ... on Execution {\n        id\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.RunSavedScriptDocument,
    "\n  mutation SendExecutionInput($id: ID!, $data: String!, $eof: Boolean) {\n    sendExecutionInput(id: $id, data: $data, eof: $eof) {\n      __typename\n      ... on InputAccepted {\n        id\n        seq\n        bytes\n        eof\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.SendExecutionInputDocument,
    "\n  mutation RunTestCases($input: RunTestCasesInput!) {\n    runTestCases(input: $input) {\n      __typename\n      ... on TestCasesRun {\n        passed\n        failed\n        pending\n        refused\n        cases {\n          index\n          passed\n          result {\n            __typename\n            ... on Execution {\n              id\n              status\n              stdout\n              stderr\n            }\n            ... on Error {\n              message\n            }\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.RunTestCasesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserFields on User {\n    id\n    username\n    email\n    role\n  }\n"): typeof import('./graphql').UserFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionFields on AuthResult {\n    __typename\n    ... on AuthPayload {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...UserFields\n      }\n    }\n    ... on InputError {\n      field\n    }\n    ... on Error {\n      message\n    }\n  }\n"): typeof import('./graphql').SessionFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...SessionFields\n    }\n  }\n"): typeof import('./graphql').LoginDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...SessionFields\n    }\n  }\n"): typeof import('./graphql').RegisterDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...SessionFields\n    }\n  }\n"): typeof import('./graphql').RefreshTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"): typeof import('./graphql').LogoutDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n"): typeof import('./graphql').MeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ExecutionFields on Execution {\n    id\n    status\n    runtime\n    script\n    stdin\n    interactive\n    exitCode\n    outputTruncated\n    errorMessage\n    traceId\n    createdAt\n    startedAt\n    finishedAt\n    lastSeq\n    limits {\n      ...LimitsFields\n    }\n    usage {\n      cpuTimeMs\n      peakMemoryKib\n      wallTimeMs\n    }\n    outputFiles {\n      path\n      size\n      sha256\n      contentType\n      url\n    }\n    skippedFiles {\n      path\n      reason\n    }\n  }\n"): typeof import('./graphql').ExecutionFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LimitsFields on Limits {\n    timeoutSeconds\n    memoryMib\n    cpuMillicores\n    maxProcesses\n    maxOutputBytes\n    diskMib\n  }\n"): typeof import('./graphql').LimitsFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EditorSetup {\n    runtimes {\n      id\n      language\n      version\n      default\n      aliases\n      description\n      environment\n      status {\n        state\n        message\n      }\n      packages {\n        name\n        version\n      }\n    }\n    limitsPolicy {\n      defaults {\n        ...LimitsFields\n      }\n      maximums {\n        ...LimitsFields\n      }\n      minimums {\n        ...LimitsFields\n      }\n    }\n  }\n"): typeof import('./graphql').EditorSetupDocument;
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
export function graphql(source: "\n  subscription ExecutionEvents($id: ID!, $afterSeq: Int!) {\n    executionEvents(id: $id, afterSeq: $afterSeq) {\n      __typename\n      ... on StatusEvent {\n        seq\n        at\n        status\n        exitCode\n        message\n      }\n      ... on OutputEvent {\n        seq\n        at\n        stream\n        data\n      }\n      ... on DisplayEvent {\n        seq\n        at\n        mimeType\n        data\n      }\n      ... on FileEvent {\n        seq\n        at\n        file {\n          path\n          size\n          contentType\n          url\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ExecutionEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query History(\n    $first: Int\n    $after: String\n    $status: [ExecutionStatus!]\n    $runtime: String\n    $createdAfter: DateTime\n    $createdBefore: DateTime\n  ) {\n    executions(\n      first: $first\n      after: $after\n      status: $status\n      runtime: $runtime\n      createdAfter: $createdAfter\n      createdBefore: $createdBefore\n    ) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          runtime\n          script\n          exitCode\n          createdAt\n          finishedAt\n          usage {\n            wallTimeMs\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').HistoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SavedScriptFields on SavedScript {\n    id\n    name\n    script\n    runtime\n    stdin\n    limits {\n      timeoutSeconds\n      memoryMib\n      cpuMillicores\n      maxProcesses\n      maxOutputBytes\n      diskMib\n    }\n    createdAt\n    updatedAt\n  }\n"): typeof import('./graphql').SavedScriptFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SavedScripts($first: Int, $after: String) {\n    savedScripts(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...SavedScriptFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').SavedScriptsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SavedScript($id: ID!) {\n    savedScript(id: $id) {\n      ...SavedScriptFields\n    }\n  }\n"): typeof import('./graphql').SavedScriptDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateSavedScript($input: SavedScriptInput!) {\n    createSavedScript(input: $input) {\n      __typename\n      ... on SavedScript {\n        ...SavedScriptFields\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): typeof import('./graphql').CreateSavedScriptDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateSavedScript($id: ID!, $input: SavedScriptPatch!) {\n    updateSavedScript(id: $id, input: $input) {\n      __typename\n      ... on SavedScript {\n        ...SavedScriptFields\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): typeof import('./graphql').UpdateSavedScriptDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteSavedScript($id: ID!) {\n    deleteSavedScript(id: $id)\n  }\n"): typeof import('./graphql').DeleteSavedScriptDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RunSavedScript($id: ID!) {\n    runSavedScript(id: $id) {\n      __typename\n      ... on Execution {\n        id\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): typeof import('./graphql').RunSavedScriptDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendExecutionInput($id: ID!, $data: String!, $eof: Boolean) {\n    sendExecutionInput(id: $id, data: $data, eof: $eof) {\n      __typename\n      ... on InputAccepted {\n        id\n        seq\n        bytes\n        eof\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): typeof import('./graphql').SendExecutionInputDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RunTestCases($input: RunTestCasesInput!) {\n    runTestCases(input: $input) {\n      __typename\n      ... on TestCasesRun {\n        passed\n        failed\n        pending\n        refused\n        cases {\n          index\n          passed\n          result {\n            __typename\n            ... on Execution {\n              id\n              status\n              stdout\n              stderr\n            }\n            ... on Error {\n              message\n            }\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): typeof import('./graphql').RunTestCasesDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
