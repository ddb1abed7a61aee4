from typing import Any, Optional, Union

from .base_client import BaseClient
from .base_model import UNSET, UnsetType
from .cancel_execution import CancelExecution
from .execute_script import ExecuteScript
from .execute_scripts import ExecuteScripts
from .get_execution import GetExecution
from .input_types import ExecuteScriptInput, RunTestCasesInput
from .run_test_cases import RunTestCases
from .runtimes import Runtimes
from .send_execution_input import SendExecutionInput


def gql(q: str) -> str:
    return q


class PodrunClient(BaseClient):
    def execute_script(self, input: ExecuteScriptInput, **kwargs: Any) -> ExecuteScript:
        query = gql("""
            mutation ExecuteScript($input: ExecuteScriptInput!) {
              executeScript(input: $input) {
                __typename
                ... on Execution {
                  ...ExecutionFields
                }
                ... on InputError {
                  message
                  field
                }
                ... on QuotaExceeded {
                  message
                  retryAfterSeconds
                }
                ... on AuthError {
                  message
                  code
                }
              }
            }

            fragment ExecutionFields on Execution {
              id
              status
              runtime
              exitCode
              stdout
              stderr
              outputTruncated
              outputMatches
              errorMessage
              lastSeq
              createdAt
              startedAt
              finishedAt
              usage {
                cpuTimeMs
                peakMemoryKib
                wallTimeMs
              }
            }
            """)
        variables: dict[str, object] = {"input": input}
        response = self.execute(
            query=query, operation_name="ExecuteScript", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ExecuteScript.model_validate(data)

    def execute_scripts(
        self, inputs: list[ExecuteScriptInput], **kwargs: Any
    ) -> ExecuteScripts:
        query = gql("""
            mutation ExecuteScripts($inputs: [ExecuteScriptInput!]!) {
              executeScripts(inputs: $inputs) {
                __typename
                ... on Execution {
                  ...ExecutionFields
                }
                ... on InputError {
                  message
                  field
                }
                ... on QuotaExceeded {
                  message
                  retryAfterSeconds
                }
                ... on AuthError {
                  message
                  code
                }
              }
            }

            fragment ExecutionFields on Execution {
              id
              status
              runtime
              exitCode
              stdout
              stderr
              outputTruncated
              outputMatches
              errorMessage
              lastSeq
              createdAt
              startedAt
              finishedAt
              usage {
                cpuTimeMs
                peakMemoryKib
                wallTimeMs
              }
            }
            """)
        variables: dict[str, object] = {"inputs": inputs}
        response = self.execute(
            query=query, operation_name="ExecuteScripts", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ExecuteScripts.model_validate(data)

    def cancel_execution(self, id: str, **kwargs: Any) -> CancelExecution:
        query = gql("""
            mutation CancelExecution($id: ID!) {
              cancelExecution(id: $id) {
                __typename
                ... on Execution {
                  ...ExecutionFields
                }
                ... on ExecutionNotFound {
                  message
                  id
                }
                ... on AuthError {
                  message
                  code
                }
              }
            }

            fragment ExecutionFields on Execution {
              id
              status
              runtime
              exitCode
              stdout
              stderr
              outputTruncated
              outputMatches
              errorMessage
              lastSeq
              createdAt
              startedAt
              finishedAt
              usage {
                cpuTimeMs
                peakMemoryKib
                wallTimeMs
              }
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="CancelExecution", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CancelExecution.model_validate(data)

    def send_execution_input(
        self,
        id: str,
        data: str,
        eof: Union[Optional[bool], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> SendExecutionInput:
        query = gql("""
            mutation SendExecutionInput($id: ID!, $data: String!, $eof: Boolean) {
              sendExecutionInput(id: $id, data: $data, eof: $eof) {
                __typename
                ... on Error {
                  message
                }
              }
            }
            """)
        variables: dict[str, object] = {"id": id, "data": data, "eof": eof}
        response = self.execute(
            query=query,
            operation_name="SendExecutionInput",
            variables=variables,
            **kwargs,
        )
        _data = self.get_data(response)
        return SendExecutionInput.model_validate(_data)

    def run_test_cases(self, input: RunTestCasesInput, **kwargs: Any) -> RunTestCases:
        query = gql("""
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
                        ...ExecutionFields
                      }
                      ... on InputError {
                        message
                        field
                      }
                      ... on QuotaExceeded {
                        message
                        retryAfterSeconds
                      }
                      ... on AuthError {
                        message
                        code
                      }
                    }
                  }
                }
                ... on InputError {
                  message
                  field
                }
                ... on AuthError {
                  message
                  code
                }
              }
            }

            fragment ExecutionFields on Execution {
              id
              status
              runtime
              exitCode
              stdout
              stderr
              outputTruncated
              outputMatches
              errorMessage
              lastSeq
              createdAt
              startedAt
              finishedAt
              usage {
                cpuTimeMs
                peakMemoryKib
                wallTimeMs
              }
            }
            """)
        variables: dict[str, object] = {"input": input}
        response = self.execute(
            query=query, operation_name="RunTestCases", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return RunTestCases.model_validate(data)

    def get_execution(self, id: str, **kwargs: Any) -> GetExecution:
        query = gql("""
            query GetExecution($id: ID!) {
              execution(id: $id) {
                ...ExecutionFields
              }
            }

            fragment ExecutionFields on Execution {
              id
              status
              runtime
              exitCode
              stdout
              stderr
              outputTruncated
              outputMatches
              errorMessage
              lastSeq
              createdAt
              startedAt
              finishedAt
              usage {
                cpuTimeMs
                peakMemoryKib
                wallTimeMs
              }
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="GetExecution", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetExecution.model_validate(data)

    def runtimes(self, **kwargs: Any) -> Runtimes:
        query = gql("""
            query Runtimes {
              runtimes {
                id
                language
                version
                default
              }
            }
            """)
        variables: dict[str, object] = {}
        response = self.execute(
            query=query, operation_name="Runtimes", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Runtimes.model_validate(data)
