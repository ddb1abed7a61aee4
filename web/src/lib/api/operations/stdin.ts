/** Interactive stdin: input sent to a running execution of an `interactive: true` submit. */
import { graphql } from "../../generated";

export const SendExecutionInputMutation = graphql(`
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
`);
