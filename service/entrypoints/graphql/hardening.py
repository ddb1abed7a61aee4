"""GraphQL hardening beyond the depth/alias/token limiters in `schema`: a maximum document
size, masked unexpected errors, and introspection that production can switch off.

A store outage is not masked: it answers a GraphQL error with `extensions.code`
`STORE_UNAVAILABLE` (at the top level of `errors`, also for mutations whose payload is a
union), so a client knows to retry rather than report a bug.

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

from service.services.ports.store import StoreUnavailable

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


STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
STORE_UNAVAILABLE_MESSAGE = "the store is unavailable; try again shortly"


def is_store_outage(error: GraphQLError) -> bool:
    return isinstance(error.original_error, StoreUnavailable)


def is_unexpected(error: GraphQLError) -> bool:
    """Mask what a resolver did not mean to say (a bug); keep GraphQL's own errors (syntax,
    validation, ours raised as GraphQLError). A store outage is re-coded, not masked."""
    original = error.original_error
    if isinstance(original, StoreUnavailable):
        log.warning("answered %s at %s: %s", STORE_UNAVAILABLE, error.path, original)
        return True
    unexpected = original is not None and not isinstance(original, GraphQLError)
    if unexpected:
        log.error("unexpected error in %s", error.path, exc_info=original)
    return unexpected


class CodedErrors(MaskErrors):
    """MaskErrors that answers a store outage as STORE_UNAVAILABLE instead of masking it;
    with `mask` off, only outages are rewritten (everything else is shown as raised)."""

    def __init__(self, *, mask: bool) -> None:
        super().__init__(
            should_mask_error=is_unexpected if mask else is_store_outage,
            error_message="Unexpected error.",
        )

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if not is_store_outage(error):
            return super().anonymise_error(error)
        return GraphQLError(
            message=STORE_UNAVAILABLE_MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": STORE_UNAVAILABLE},
        )


def hardening_extensions(
    hardening: Hardening,
) -> list[Callable[[], SchemaExtension] | type[SchemaExtension]]:
    rules: list[type[ASTValidationRule]] = [query_size_rule(hardening.max_query_bytes)]
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        lambda: AddValidationRules(rules)
    ]
    if not hardening.introspection:
        extensions.append(DisableIntrospection)
    extensions.append(lambda: CodedErrors(mask=hardening.mask_errors))
    return extensions
