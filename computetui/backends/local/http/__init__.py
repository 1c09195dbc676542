"""One HTTP/1.1 server and codec for every server of the emulator.

The load balancer (``balancer``, here: ECS's and Lightsail's), the Lambda Runtime API
(``lambda_.runtime_api``) and the API Gateway build on these modules rather than parsing
HTTP themselves:

- ``codec``: request and response heads, body framing, reason phrases,
  serializing a response head. Pure functions, no I/O.
- ``streams``: the asyncio connection wrapper and its one failure
  (``Broken``), reading heads and bodies, copying bodies by their framing,
  TCP_NODELAY, the idle sweeper.
- ``server``: ``HttpServer``, which listens, parses, keeps connections alive and
  hands each request to a handler (buffered) or an exchange (streaming).
- ``balancer``: ``LoadBalancer``, a local ALB (health checks, round robin,
  draining, proxying) over targets its user names.

Nothing here knows about a service: the package imports no ECS, Lambda, Docker
or Textual module, and its users import it, never the other way round.
"""
