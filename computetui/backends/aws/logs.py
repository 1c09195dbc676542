"""CloudWatch Logs through boto3: log groups, streams and events.

DescribeLogGroups, DescribeLogStreams and FilterLogEvents go through botocore's
paginators (50 groups or streams a page, AWS's maximum; ``limit`` stops paging once
that many items have arrived). GetLogEvents has no paginator: its tokens say "no
more" by coming back unchanged, so the adapter follows ``nextForwardToken`` (from
the head) or ``nextBackwardToken`` (from the tail) itself until a token repeats or
``limit`` events are in — at most 10,000 when no limit is given, as the local
backend answers. Events always come back oldest first.

PutLogEvents takes one stream's events in time order, at most 10,000 events,
1,048,576 bytes (each message's UTF-8 plus 26 bytes) and 24 hours a call: the
adapter sorts the events and sends as many calls as those limits need. Events
CloudWatch refuses to store (older than 14 days or the group's retention, more
than 2 hours ahead) are not an error to AWS, just a ``rejectedLogEventsInfo``; here
they raise ``InvalidParameter`` once everything else is sent, so a caller is not
left thinking they were written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from computetui.backends.aws.kit import Caller, parse
from computetui.backends.base import LogsFacet
from computetui.backends.errors import ComputeError, InvalidParameter, NotFound
from computetui.models import logs as m

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend

PAGE_SIZE = 50
"""DescribeLogGroups and DescribeLogStreams: at most 50 a page."""
EVENTS_MAX = 10_000
"""GetLogEvents and FilterLogEvents: at most 10,000 events a call; also what a call without
``limit`` returns at most, as the local backend does."""
STREAM_NAMES_MAX = 100
"""FilterLogEvents: at most 100 stream names a call."""
PUT_EVENTS_MAX = 10_000
PUT_BYTES_MAX = 1_048_576
PUT_EVENT_OVERHEAD = 26
PUT_SPAN_MS = 24 * 3600 * 1000
PAGES_MAX = 1_000
"""A bound on GetLogEvents calls for one read, whatever the tokens do."""


def put_batches(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """``events`` in time order, cut into PutLogEvents calls within its limits."""
    batches: list[list[dict[str, Any]]] = []
    batch: list[dict[str, Any]] = []
    size = 0
    for event in sorted(events, key=lambda e: e["timestamp"]):
        cost = len(str(event["message"]).encode()) + PUT_EVENT_OVERHEAD
        if batch and (
            len(batch) >= PUT_EVENTS_MAX
            or size + cost > PUT_BYTES_MAX
            or event["timestamp"] - batch[0]["timestamp"] >= PUT_SPAN_MS
        ):
            batches.append(batch)
            batch, size = [], 0
        batch.append({"timestamp": int(event["timestamp"]), "message": str(event["message"])})
        size += cost
    if batch:
        batches.append(batch)
    return batches


class AwsLogs(LogsFacet):
    backend: AwsBackend

    def __init__(self, backend: AwsBackend) -> None:
        super().__init__(backend)
        self.api = Caller(backend, "logs", invalid_code="InvalidParameterException")

    def _paged(
        self, operation: str, key: str, max_items: int | None, page_size: int | None, **params: Any
    ) -> list[Any]:
        """Items under ``key`` of every page, stopping once ``max_items`` have arrived."""
        config: dict[str, Any] = {}
        if max_items:
            config["MaxItems"] = max_items
        if page_size:
            config["PageSize"] = page_size if not max_items else min(page_size, max_items)
        items: list[Any] = []
        try:
            paginator = self.api.client.get_paginator(operation)
            present = {k: v for k, v in params.items() if v is not None}
            for page in paginator.paginate(**present, PaginationConfig=config):
                items.extend(page.get(key) or [])
        except ComputeError:
            raise
        except Exception as exc:
            raise self.api.error(exc) from None
        return items[:max_items] if max_items else items

    # -- groups and streams ------------------------------------------------------
    def create_log_group(self, log_group_name: str) -> m.LogGroup:
        self.api.call("create_log_group", logGroupName=log_group_name)
        for group in self.describe_log_groups(log_group_name):
            if group.log_group_name == log_group_name:
                return group
        raise NotFound("The specified log group does not exist.")  # deleted at once by someone else

    def delete_log_group(self, log_group_name: str) -> None:
        self.api.call("delete_log_group", logGroupName=log_group_name)

    def create_log_stream(self, log_group_name: str, log_stream_name: str) -> None:
        self.api.call("create_log_stream", logGroupName=log_group_name, logStreamName=log_stream_name)

    def describe_log_groups(self, log_group_name_prefix: str | None = None) -> list[m.LogGroup]:
        groups = self._paged(
            "describe_log_groups", "logGroups", None, PAGE_SIZE, logGroupNamePrefix=log_group_name_prefix or None
        )
        return [parse(m.LogGroup, g) for g in groups]

    def describe_log_streams(
        self, log_group_name: str, order_by: str = "LastEventTime", descending: bool = True, limit: int | None = None
    ) -> list[m.LogStream]:
        streams = self._paged(
            "describe_log_streams",
            "logStreams",
            limit,
            PAGE_SIZE,
            logGroupName=log_group_name,
            orderBy=order_by,
            descending=descending,
        )
        return [parse(m.LogStream, s) for s in streams]

    # -- events ------------------------------------------------------------------
    def put_log_events(self, log_group_name: str, log_stream_name: str, log_events: list[dict[str, Any]]) -> None:
        rejected: list[str] = []
        refused = 0
        for batch in put_batches(list(log_events)):
            answer = self.api.call(
                "put_log_events", logGroupName=log_group_name, logStreamName=log_stream_name, logEvents=batch
            )
            info = answer.get("rejectedLogEventsInfo") or {}
            if info:
                refused += _rejected_count(info, len(batch))
                rejected.extend(_rejected_reasons(info))
        if refused:
            raise InvalidParameter(
                f"CloudWatch Logs refused {refused} of {len(log_events)} log events: "
                + ", ".join(dict.fromkeys(rejected)),
                code="InvalidParameterException",
                field="logEvents",
            )

    def get_log_events(
        self,
        log_group_name: str,
        log_stream_name: str,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        start_from_head: bool = False,
    ) -> list[m.OutputLogEvent]:
        wanted = limit or EVENTS_MAX
        params = {
            "logGroupName": log_group_name,
            "logStreamName": log_stream_name,
            "startTime": start_time,
            "endTime": end_time,
            "startFromHead": start_from_head,
        }
        key = "nextForwardToken" if start_from_head else "nextBackwardToken"
        pages: list[list[dict[str, Any]]] = []
        count = 0
        token = None
        for _ in range(PAGES_MAX):
            answer = self.api.call("get_log_events", **params, limit=min(EVENTS_MAX, wanted - count), nextToken=token)
            events = answer.get("events") or []
            pages.append(events)
            count += len(events)
            following = answer.get(key)
            if count >= wanted or not following or following == token:
                break
            token = following
        if start_from_head:
            ordered = [e for page in pages for e in page][:wanted]
        else:  # each page is oldest first; the pages came newest first
            ordered = [e for page in reversed(pages) for e in page][-wanted:]
        return [parse(m.OutputLogEvent, e) for e in ordered]

    def filter_log_events(
        self,
        log_group_name: str,
        filter_pattern: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        log_stream_names: list[str] | None = None,
        limit: int | None = None,
    ) -> list[m.FilteredLogEvent]:
        wanted = limit or EVENTS_MAX
        params = {
            "logGroupName": log_group_name,
            "filterPattern": filter_pattern or None,
            "startTime": start_time,
            "endTime": end_time,
        }
        names = list(log_stream_names or [])
        groups = [names[i : i + STREAM_NAMES_MAX] for i in range(0, len(names), STREAM_NAMES_MAX)] or [None]
        events: list[dict[str, Any]] = []
        for group in groups:
            events.extend(self._paged("filter_log_events", "events", wanted, None, **params, logStreamNames=group))
        events.sort(key=lambda e: (e.get("timestamp", 0), e.get("eventId", "")))
        return [parse(m.FilteredLogEvent, e) for e in events[:wanted]]


def _rejected_count(info: dict[str, int], size: int) -> int:
    """How many events of a batch of ``size`` PutLogEvents' ``rejectedLogEventsInfo`` covers."""
    refused = set()
    if "tooOldLogEventEndIndex" in info:
        refused.update(range(0, info["tooOldLogEventEndIndex"] + 1))
    if "expiredLogEventEndIndex" in info:
        refused.update(range(0, info["expiredLogEventEndIndex"] + 1))
    if "tooNewLogEventStartIndex" in info:
        refused.update(range(info["tooNewLogEventStartIndex"], size))
    return len(refused)


def _rejected_reasons(info: dict[str, int]) -> list[str]:
    reasons = []
    if "tooOldLogEventEndIndex" in info:
        reasons.append("older than 14 days")
    if "expiredLogEventEndIndex" in info:
        reasons.append("older than the group's retention")
    if "tooNewLogEventStartIndex" in info:
        reasons.append("more than 2 hours in the future")
    return reasons
