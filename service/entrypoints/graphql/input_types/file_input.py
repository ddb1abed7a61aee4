"""`FileInput` and `EnvVarInput`: files placed under `/work` before a run, and its
environment variables (checked in :mod:`service.domain.files`)."""

from __future__ import annotations

import base64
import binascii
import enum

import strawberry

from service.domain.files import FileContent
from service.services.problems import InputProblem


@strawberry.enum(name="FileEncoding", description="How `FileInput.content` is written.")
class FileEncoding(enum.Enum):
    UTF8 = "UTF8"
    BASE64 = "BASE64"


@strawberry.input(name="FileInput", description="A file placed under /work before the run.")
class FileInput:
    path: str = strawberry.field(
        description="Relative to /work, with / between directories; no '..', no NUL."
    )
    content: str
    encoding: FileEncoding | None = FileEncoding.UTF8


@strawberry.input(name="EnvVarInput", description="An environment variable of the script.")
class EnvVarInput:
    name: str
    value: str


def files_to_domain(files: list[FileInput] | None) -> tuple[FileContent, ...] | InputProblem:
    """The files' bytes, or an InputError naming the content that does not decode."""
    decoded = []
    for index, file in enumerate(files or ()):
        if file.encoding is FileEncoding.BASE64:
            try:
                data = base64.b64decode(file.content, validate=True)
            except (binascii.Error, ValueError):
                return InputProblem("content is not valid base64", f"files[{index}].content")
        else:
            try:
                data = file.content.encode("utf-8")
            except UnicodeEncodeError:
                return InputProblem(
                    "content is not valid Unicode (lone surrogate)", f"files[{index}].content"
                )
        decoded.append(FileContent(file.path, data))
    return tuple(decoded)
