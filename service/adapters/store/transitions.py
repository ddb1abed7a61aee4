"""How a `Transition` is written: its guard and its columns, in one place.

A transition is one `update_one` on `_id` plus its guard (the status it expects and, when
given, the owning worker), never a `find_one_and_update`: see
:mod:`service.adapters.store.executions` for why.
"""

from __future__ import annotations

from typing import Any

from service.adapters.store.mapping import carried_to_dict, fields_to_dict, usage_to_dict
from service.adapters.store.outbox import outbox_columns
from service.domain.executions import Execution
from service.domain.transitions import Transition


def transition_query(execution_id: str, transition: Transition) -> dict[str, Any]:
    """The filter a record must match for `transition` to apply."""
    query: dict[str, Any] = {
        "_id": execution_id,
        "status": {"$in": sorted(s.value for s in transition.expected)},
    }
    if transition.worker_id is not None:
        query["worker_id"] = transition.worker_id
    return query


def transition_update(transition: Transition) -> dict[str, Any]:
    """The update document: the new status, the fields the transition sets, the seq."""
    columns: dict[str, Any] = {"status": transition.target.value}
    if transition.started_at is not None:
        columns["started_at"] = transition.started_at
    if transition.target.is_terminal:
        # A verdict says all of how it ended: no exit code or message survives from before.
        columns["finished_at"] = transition.finished_at
        columns["exit_code"] = transition.exit_code
        columns["error_message"] = transition.error_message
    if transition.output_truncated is not None:
        columns["output_truncated"] = transition.output_truncated
    if transition.output is not None:
        kept = transition.output.kept
        columns["stdout"] = kept.stdout
        columns["stderr"] = kept.stderr
        columns["output_in_log"] = not transition.output.fits_record
    if transition.usage is not None:
        columns["usage"] = usage_to_dict(transition.usage)
    if transition.files is not None:
        files = transition.files
        columns.update(
            fields_to_dict(
                Execution,
                {"output_files": files.output_files, "skipped_files": files.skipped_files},
            )
        )
        if files.workspace_updated is not None:
            columns["workspace_updated"] = files.workspace_updated
            columns["workspace_message"] = files.workspace_message
    columns.update(carried_to_dict(transition.carried))
    # In this same write: what it starts or ends is to be told (webhooks, see `outbox`).
    columns.update(outbox_columns(transition))
    update: dict[str, Any] = {"$set": columns}
    if transition.seq is None:
        update["$inc"] = {"last_seq": 1}
    else:
        columns["last_seq"] = transition.seq
    return update
