/** One script judged against many cases (runTestCases), waiting for every verdict. */
import { graphql } from "../../generated";

export const RunTestCasesMutation = graphql(`
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
`);
