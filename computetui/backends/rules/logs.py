"""What CloudWatch Logs' operations take, as its service model says. Bad input is an
``InvalidParameterException``."""

from __future__ import annotations

from computetui.backends.rules.validation import (
    Boolean,
    Dialect,
    Integer,
    ListOf,
    Long,
    Request,
    String,
    Structure,
)

INVALID = Dialect("InvalidParameterException")

GROUP = String(min=1, max=512)
"""Its pattern is checked by CreateLogGroup; the emulator's own groups are named by it."""
STREAM = String(min=1, max=512, pattern=r"[^:*]*")
EVENTS = ListOf(
    Structure({"timestamp": Long(min=0), "message": String(min=1)}, required=("timestamp", "message")),
    min=1, max=10_000,
)

CREATE_LOG_GROUP = Request("CreateLogGroup", INVALID, {"log_group_name": GROUP}, required=("log_group_name",))
LOG_GROUP = CREATE_LOG_GROUP
CREATE_LOG_STREAM = Request(
    "CreateLogStream", INVALID, {"log_group_name": GROUP, "log_stream_name": STREAM},
    required=("log_group_name", "log_stream_name"),
)
PUT_LOG_EVENTS = Request(
    "PutLogEvents", INVALID, {"log_group_name": GROUP, "log_stream_name": String(min=1), "log_events": EVENTS},
    required=("log_group_name", "log_stream_name", "log_events"),
)
DESCRIBE_LOG_GROUPS = Request("DescribeLogGroups", INVALID, {"log_group_name_prefix": String()})
DESCRIBE_LOG_STREAMS = Request(
    "DescribeLogStreams", INVALID,
    {"log_group_name": GROUP, "order_by": String(enum=("LogStreamName", "LastEventTime")), "descending": Boolean(),
     "limit": Integer(min=1)},
    required=("log_group_name",),
)
GET_LOG_EVENTS = Request(
    "GetLogEvents", INVALID,
    {"log_group_name": GROUP, "log_stream_name": String(min=1), "start_time": Long(min=0), "end_time": Long(min=0),
     "limit": Integer(min=1), "start_from_head": Boolean()},
    required=("log_group_name", "log_stream_name"),
)
FILTER_LOG_EVENTS = Request(
    "FilterLogEvents", INVALID,
    {"log_group_name": GROUP, "filter_pattern": String(max=1024), "start_time": Long(min=0),
     "end_time": Long(min=0), "log_stream_names": ListOf(String(), min=1, max=100), "limit": Integer(min=1)},
    required=("log_group_name",),
)
