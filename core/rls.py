"""PostgreSQL row-level security on every owned table: the database's own copy of the rule
that `core.scope` applies in the ORM.

`apply_row_security(connection)` finds every table of the current schema with an `owner_id`
column (computed, never a list) and gives it one policy: a row is visible and writable when its
`owner_id` equals the transaction's `app.user_id`, or when that is `system` (the server's own
work). A transaction that set nothing sees nothing. It runs in the migration and again after
every `migrate`, so tables that later migrations add are covered too. RLS is FORCEd, so it
binds the tables' owner as well; PostgreSQL superusers bypass RLS always — run the server as an
ordinary role.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

POLICY = "stratforge_owner"
# an integer comparison, so the owner_id indexes still serve; unset or '' matches nothing
CONDITION = (
    "(current_setting('app.user_id', true) = 'system' OR owner_id = "
    "NULLIF(NULLIF(current_setting('app.user_id', true), ''), 'system')::integer)"
)


def owned_tables(connection: Connection) -> list[str]:
    rows = connection.execute(
        text(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'owner_id' "
            "ORDER BY table_name"
        )
    )
    return [row[0] for row in rows]


def apply_row_security(connection: Connection) -> list[str]:
    """Enable, force and create the owner policy on every owned table that lacks it; returns
    the owned tables."""
    if connection.dialect.name != "postgresql":
        return []
    tables = owned_tables(connection)
    done = {
        row[0] for row in connection.execute(
            text("SELECT tablename FROM pg_policies "
                 "WHERE schemaname = current_schema() AND policyname = :p"), {"p": POLICY}
        )
    }
    for table in tables:
        if table in done:
            continue
        quoted = connection.dialect.identifier_preparer.quote(table)
        connection.execute(text(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY"))
        connection.execute(text(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY"))
        connection.execute(
            text(
                f"CREATE POLICY {POLICY} ON {quoted} USING {CONDITION} WITH CHECK {CONDITION}"
            )
        )
    return tables
