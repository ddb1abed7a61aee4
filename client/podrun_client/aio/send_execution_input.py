from typing import Literal, Union

from pydantic import Field

from .base_model import BaseModel


class SendExecutionInput(BaseModel):
    send_execution_input: Union[
        "SendExecutionInputSendExecutionInputInputAccepted",
        "SendExecutionInputSendExecutionInputInputError",
        "SendExecutionInputSendExecutionInputExecutionNotFound",
        "SendExecutionInputSendExecutionInputExecutionNotRunning",
        "SendExecutionInputSendExecutionInputStdinClosed",
        "SendExecutionInputSendExecutionInputAuthError",
    ] = Field(alias="sendExecutionInput", discriminator="typename__")


class SendExecutionInputSendExecutionInputInputAccepted(BaseModel):
    typename__: Literal["InputAccepted"] = Field(alias="__typename")


class SendExecutionInputSendExecutionInputInputError(BaseModel):
    typename__: Literal["InputError"] = Field(alias="__typename")
    message: str


class SendExecutionInputSendExecutionInputExecutionNotFound(BaseModel):
    typename__: Literal["ExecutionNotFound"] = Field(alias="__typename")
    message: str


class SendExecutionInputSendExecutionInputExecutionNotRunning(BaseModel):
    typename__: Literal["ExecutionNotRunning"] = Field(alias="__typename")
    message: str


class SendExecutionInputSendExecutionInputStdinClosed(BaseModel):
    typename__: Literal["StdinClosed"] = Field(alias="__typename")
    message: str


class SendExecutionInputSendExecutionInputAuthError(BaseModel):
    typename__: Literal["AuthError"] = Field(alias="__typename")
    message: str


SendExecutionInput.model_rebuild()
