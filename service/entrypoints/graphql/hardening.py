"""GraphQL hardening beyond the depth/alias/token limiters in `schema`: a maximum document
size, masked unexpected errors, and introspection that production can switch off.

All are extension factories, so each operation gets fresh extension state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import ASTValidationRule, GraphQLError, ValidationRule
from graphql.language import DocumentNode
from strawberry.extensions import AddValidationRules, DisableIntrospection, MaskErrors
from strawberry.extensions.base_extension import SchemaExtension

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Hardening:
    max_query_bytes: int = 320 * 1024
    introspection: bool = True
    mask_errors: bool = True


_size_rules: dict[int, type[ValidationRule]] = {}


def query_size_rule(max_bytes: int) -> type[ValidationRule]:
    """A validation rule refusing documents longer than `max_bytes` (one class per size, so
    the validation cache keys stay stable)."""
    if max_bytes not in _size_rules:

        class MaxQuerySize(ValidationRule):
            def enter_document(self, node: DocumentNode, *_: Any) -> None:
                source = node.loc.source.body if node.loc is not None else ""
                if len(source.encode("utf-8", "replace")) > max_bytes:
                    self.report_error(
                        GraphQLError(f"the document is over the {max_bytes}-byte limit")
                    )

        _size_rules[max_bytes] = MaxQuerySize
    return _size_rules[max_bytes]


def is_unexpected(error: GraphQLError) -> bool:
    """Mask what a resolver did not mean to say (a bug, a store outage); keep GraphQL's own
    errors (syntax, validation, ours raised as GraphQLError)."""
    original = error.original_error
    unexpected = original is not None and not isinstance(original, GraphQLError)
    if unexpected:
        log.error("unexpected error in %s", error.path, exc_info=original)
    return unexpected


def hardening_extensions(
    hardening: Hardening,
) -> list[Callable[[], SchemaExtension] | type[SchemaExtension]]:
    rules: list[type[ASTValidationRule]] = [query_size_rule(hardening.max_query_bytes)]
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        lambda: AddValidationRules(rules)
    ]
    if not hardening.introspection:
        extensions.append(DisableIntrospection)
    if hardening.mask_errors:
        extensions.append(
            lambda: MaskErrors(should_mask_error=is_unexpected, error_message="Unexpected error.")
        )
    return extensions
