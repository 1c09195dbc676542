"""The console's Textual UI. It talks to backends through the contract only:
no docker, no boto3, no backend module is imported here."""
