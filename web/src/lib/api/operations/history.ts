/** The caller's executions, newest first, filtered and paged. */
import { graphql } from "../../generated";

export const HistoryQuery = graphql(`
  query History(
    $first: Int
    $after: String
    $status: [ExecutionStatus!]
    $runtime: String
    $createdAfter: DateTime
    $createdBefore: DateTime
  ) {
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
`);
