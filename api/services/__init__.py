"""Application services: what the HTTP routes, the CLI, the dashboard and MCP all call.

One typed service per concern, composed in `container.Services` from one `context.AppContext`.
A service takes plain arguments and returns views (`views.py`); it never sees an HTTP request
or a terminal. This package's `__init__` imports nothing, so a module importing one service
never drags in the others.
"""
