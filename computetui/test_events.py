"""Test event templates, as the Lambda console offers them, in our own sample data."""

from __future__ import annotations

import json

HELLO_WORLD = {"key1": "value1", "key2": "value2", "key3": "value3"}

API_GATEWAY_PROXY_V1 = {
    "resource": "/pets/{id}",
    "path": "/pets/42",
    "httpMethod": "GET",
    "headers": {"Accept": "application/json", "Host": "abcdef1234.execute-api.us-east-1.amazonaws.com"},
    "multiValueHeaders": {"Accept": ["application/json"]},
    "queryStringParameters": {"verbose": "true"},
    "multiValueQueryStringParameters": {"verbose": ["true"]},
    "pathParameters": {"id": "42"},
    "stageVariables": None,
    "requestContext": {
        "accountId": "000000000000",
        "apiId": "abcdef1234",
        "httpMethod": "GET",
        "path": "/prod/pets/42",
        "stage": "prod",
        "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "identity": {"sourceIp": "127.0.0.1", "userAgent": "curl/8.5.0"},
    },
    "body": None,
    "isBase64Encoded": False,
}

API_GATEWAY_HTTP_V2 = {
    "version": "2.0",
    "routeKey": "GET /pets/{id}",
    "rawPath": "/pets/42",
    "rawQueryString": "verbose=true",
    "cookies": ["session=abc123"],
    "headers": {"accept": "application/json", "host": "abcdef1234.execute-api.us-east-1.amazonaws.com"},
    "queryStringParameters": {"verbose": "true"},
    "pathParameters": {"id": "42"},
    "requestContext": {
        "accountId": "000000000000",
        "apiId": "abcdef1234",
        "domainName": "abcdef1234.execute-api.us-east-1.amazonaws.com",
        "http": {
            "method": "GET",
            "path": "/pets/42",
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": "curl/8.5.0",
        },
        "requestId": "JKJaXmPLvHcESHA=",
        "routeKey": "GET /pets/{id}",
        "stage": "$default",
        "timeEpoch": 1768469400000,
    },
    "isBase64Encoded": False,
}

S3_PUT = {
    "Records": [
        {
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": "us-east-1",
            "eventTime": "2026-01-15T09:30:00.000Z",
            "eventName": "ObjectCreated:Put",
            "s3": {
                "s3SchemaVersion": "1.0",
                "bucket": {"name": "photo-uploads", "arn": "arn:aws:s3:::photo-uploads"},
                "object": {"key": "holiday/beach.jpg", "size": 1048576, "eTag": "0123456789abcdef0123456789abcdef"},
            },
        }
    ]
}

EVENTBRIDGE_SCHEDULED = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "000000000000",
    "time": "2026-01-15T09:30:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:000000000000:rule/nightly-report"],
    "detail": {},
}

SQS = {
    "Records": [
        {
            "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
            "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
            "body": '{"order": 1234, "status": "paid"}',
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1768469400000"},
            "messageAttributes": {},
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:orders",
            "awsRegion": "us-east-1",
        }
    ]
}

TEMPLATES: dict[str, dict] = {
    "hello-world": HELLO_WORLD,
    "apigateway-aws-proxy": API_GATEWAY_PROXY_V1,
    "apigateway-http-api-proxy": API_GATEWAY_HTTP_V2,
    "s3-put": S3_PUT,
    "eventbridge-scheduled": EVENTBRIDGE_SCHEDULED,
    "sqs": SQS,
}
"""Template id -> event; the ids are what the console's template list calls them."""

MAX_SAVED_PER_FUNCTION = 10


def template_text(template_id: str) -> str:
    return json.dumps(TEMPLATES[template_id], indent=2)


def json_problem(text: str) -> str | None:
    """Why ``text`` is not JSON, with the line and column; None when it is."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return f"Invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    return None
