"""What CloudWatch's GetMetricData takes, as its service model says. Bad input is a
``ValidationError`` (CloudWatch's code)."""

from __future__ import annotations

from computetui.backends.rules.validation import Dialect, Integer, ListOf, Request, String, Structure, Timestamp

CLOUDWATCH = Dialect("ValidationError")

METRIC = Structure(
    {"Namespace": String(min=1, max=255), "MetricName": String(min=1, max=255),
     "Dimensions": ListOf(Structure({"Name": String(min=1, max=255), "Value": String(min=1, max=1024)},
                                    required=("Name", "Value")), max=30)},
    required=("MetricName",),
)
QUERY = Structure(
    {"Id": String(min=1, max=255),
     "MetricStat": Structure({"Metric": METRIC, "Period": Integer(min=1), "Stat": String(), "Unit": String()},
                             required=("Metric", "Period", "Stat"))},
    required=("Id", "MetricStat"),
)
GET_METRIC_DATA = Request(
    "GetMetricData", CLOUDWATCH,
    {"metric_data_queries": ListOf(QUERY, max=500), "start_time": Timestamp(), "end_time": Timestamp()},
    required=("metric_data_queries", "start_time", "end_time"),
)
