"""`stratforge mcp`: the MCP face of stratforge, for AI assistants (Claude, Cursor, ChatGPT).

Like the routes and the CLI, it only translates: each tool calls the services the matching API
route calls, under the same sign-in, role rules, owner scope, limits and audit log.
`server` builds the server and runs its transports, `auth` checks HTTP bearer tokens, `calls`
runs one tool call, `research` and `trading` declare the tools.
"""
