"""CloudWatch Logs: groups, streams and events. Times are epoch milliseconds, as AWS writes them."""

from __future__ import annotations

from computetui.models.base import AwsModel


class LogGroup(AwsModel):
    log_group_name: str
    arn: str | None = None
    creation_time: int | None = None
    retention_in_days: int | None = None
    stored_bytes: int = 0


class LogStream(AwsModel):
    log_stream_name: str
    arn: str | None = None
    creation_time: int | None = None
    first_event_timestamp: int | None = None
    last_event_timestamp: int | None = None
    last_ingestion_time: int | None = None
    stored_bytes: int = 0


class OutputLogEvent(AwsModel):
    timestamp: int
    message: str
    ingestion_time: int | None = None


class FilteredLogEvent(AwsModel):
    log_stream_name: str
    timestamp: int
    message: str
    ingestion_time: int | None = None
    event_id: str | None = None
