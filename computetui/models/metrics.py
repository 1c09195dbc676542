"""CloudWatch metrics: a time series per query, as ``GetMetricData`` returns it."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from computetui.models.base import PascalModel


class MetricDataResult(PascalModel):
    id: str
    label: str
    timestamps: list[datetime] = Field(default_factory=list)
    values: list[float] = Field(default_factory=list)
    status_code: str = "Complete"
