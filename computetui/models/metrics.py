"""CloudWatch metrics: a time series per query, as ``GetMetricData`` returns it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from computetui.models.base import PascalModel


class Statistic(StrEnum):
    SUM = "Sum"
    AVERAGE = "Average"
    MAXIMUM = "Maximum"
    MINIMUM = "Minimum"
    SAMPLE_COUNT = "SampleCount"
    P50 = "p50"
    P99 = "p99"


class MetricDataResult(PascalModel):
    id: str
    label: str
    timestamps: list[datetime] = Field(default_factory=list)
    values: list[float] = Field(default_factory=list)
    status_code: str = "Complete"
