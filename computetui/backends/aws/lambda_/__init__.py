"""AWS Lambda through boto3: :class:`~.facet.AwsLambda`, with its execution roles (:mod:`.roles`),
shareable test events (:mod:`.test_events`), this month's use (:mod:`.usage`) and the REPORT
line's figures (:mod:`.report`)."""

from computetui.backends.aws.lambda_.facet import AwsLambda

__all__ = ["AwsLambda"]
