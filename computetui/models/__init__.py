"""Pydantic v2 models of AWS's resources, one module per service.

Nothing here imports Textual, docker or boto3.
"""
