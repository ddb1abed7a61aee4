from collections.abc import AsyncIterator
from typing import Any, Optional, Union

from .async_base_client import AsyncBaseClient
from .base_model import UNSET, UnsetType
from .cancel_execution import CancelExecution
from .execute_script import ExecuteScript
from .execute_scripts import ExecuteScripts
from .execution_events import ExecutionEvents
from .get_execution import GetExecution
from .input_types import ExecuteScriptInput, RunTestCasesInput
from .run_test_cases import RunTestCases
from .runtimes import Runtimes
from .send_execution_input import SendExecutionInput


def gql(q: str) -> str:
    return q


class PodrunClient(AsyncBaseClient):
    async def execute_script(
        self, input: ExecuteScriptInput, **kwargs: Any
    ) -> ExecuteScript:
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
        response = await self.execute(
            query=query, operation_name="ExecuteScript", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ExecuteScript.model_validate(data)

    async def execute_scripts(
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
        response = await self.execute(
            query=query, operation_name="ExecuteScripts", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ExecuteScripts.model_validate(data)

    async def cancel_execution(self, id: str, **kwargs: Any) -> CancelExecution:
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
        response = await self.execute(
            query=query, operation_name="CancelExecution", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CancelExecution.model_validate(data)

    async def send_execution_input(
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
        response = await self.execute(
            query=query,
            operation_name="SendExecutionInput",
            variables=variables,
            **kwargs,
        )
        _data = self.get_data(response)
        return SendExecutionInput.model_validate(_data)

    async def run_test_cases(
        self, input: RunTestCasesInput, **kwargs: Any
    ) -> RunTestCases:
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
        response = await self.execute(
            query=query, operation_name="RunTestCases", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return RunTestCases.model_validate(data)

    async def get_execution(self, id: str, **kwargs: Any) -> GetExecution:
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
        response = await self.execute(
            query=query, operation_name="GetExecution", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return GetExecution.model_validate(data)

    async def runtimes(self, **kwargs: Any) -> Runtimes:
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
        response = await self.execute(
            query=query, operation_name="Runtimes", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Runtimes.model_validate(data)

    async def execution_events(
        self, id: str, after_seq: int, **kwargs: Any
    ) -> AsyncIterator[ExecutionEvents]:
        query = gql("""
            subscription ExecutionEvents($id: ID!, $afterSeq: Int! = 0) {
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
            """)
        variables: dict[str, object] = {"id": id, "afterSeq": after_seq}
        async for data in self.execute_ws(
            query=query, operation_name="ExecutionEvents", variables=variables, **kwargs
        ):
            yield ExecutionEvents.model_validate(data)
