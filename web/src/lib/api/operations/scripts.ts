/** Saved scripts: list, open, save, rename, delete, run. */
import { graphql } from "../../generated";

export const SavedScriptFields = graphql(`
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
`);

export const SavedScriptsQuery = graphql(`
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
`);

export const SavedScriptQuery = graphql(`
  query SavedScript($id: ID!) {
    savedScript(id: $id) {
      ...SavedScriptFields
    }
  }
`);

export const CreateSavedScriptMutation = graphql(`
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
`);

export const UpdateSavedScriptMutation = graphql(`
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
`);

export const DeleteSavedScriptMutation = graphql(`
  mutation DeleteSavedScript($id: ID!) {
    deleteSavedScript(id: $id)
  }
`);

export const RunSavedScriptMutation = graphql(`
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
`);
