"""Adapters for web frameworks: one small module per framework, the same names in each.

Each module imports its framework only when imported itself, and is an optional extra
(``pip install "injectkit[starlette]"``).  Every adapter offers:

- ``setup(app, container)``: tie the container to the app (a request scope per request,
  endpoints validated at startup, the app scope closed at shutdown);
- ``inject``: the decorator for endpoints whose parameters injectkit fills;
- ``get_scope(request)``: the request's :class:`~injectkit.RequestScope`.

``_kernel`` holds what they share; docs/integrations/custom.md shows how to write one.
"""
