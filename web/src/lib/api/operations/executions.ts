/**
 * Every GraphQL operation the web client sends. `npm run codegen` types them from
 * ../schema.graphql into src/lib/generated/; the `graphql()` tag returns a typed document.
 */
import { graphql } from "../../generated";

export const ExecutionFields = graphql(`
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
`);

export const LimitsFields = graphql(`
  fragment LimitsFields on Limits {
    timeoutSeconds
    memoryMib
    cpuMillicores
    maxProcesses
    maxOutputBytes
    diskMib
  }
`);

export const EditorSetupQuery = graphql(`
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
`);

export const ExecutionQuery = graphql(`
  query Execution($id: ID!) {
    execution(id: $id) {
      ...ExecutionFields
    }
  }
`);

export const ExecuteScriptMutation = graphql(`
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
`);

export const CancelExecutionMutation = graphql(`
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
`);

export const ExecutionEventsSubscription = graphql(`
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
`);
