"""PostgreSQL row-level security on every owned table: the database's own copy of the rule
that `core.scope` applies in the ORM.

`apply_row_security(connection)` finds every table of the current schema with an `owner_id`
column (computed, never a list) and gives it one policy: a row is visible and writable when its
`owner_id` equals the transaction's `app.user_id`, or when that is `system` (the server's own
work). A transaction that set nothing sees nothing. It runs in the migration and again after
every `migrate`, so tables that later migrations add are covered too. RLS is FORCEd, so it
binds the tables' owner as well; PostgreSQL superusers bypass RLS always — run the server as an
ordinary role.

Teams (migration 0010): the `TEAM_READABLE` tables of `core.scope` get a second, SELECT-only
policy, `TEAM_READ_POLICY`: a row is also visible when its owner shares a team with
`app.user_id`. PostgreSQL ORs permissive policies per command, so an UPDATE, DELETE or INSERT
still needs the owner policy alone: team-mates read, nothing else.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from core.scope import TEAM_READABLE

POLICY = "stratforge_owner"
# an integer comparison, so the owner_id indexes still serve; unset or '' matches nothing
CONDITION = (
    "(current_setting('app.user_id', true) = 'system' OR owner_id = "
    "NULLIF(NULLIF(current_setting('app.user_id', true), ''), 'system')::integer)"
)


TEAM_READ_POLICY = "stratforge_team_read"
TEAM_CONDITION = (
    "(owner_id IN (SELECT mate.user_id FROM team_members AS me "
    "JOIN team_members AS mate ON mate.team_id = me.team_id "
    "WHERE me.user_id = NULLIF(NULLIF(current_setting('app.user_id', true), ''), "
    "'system')::integer))"
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


def apply_team_reads(connection: Connection) -> list[str]:
    """The SELECT-only team policy on every `TEAM_READABLE` table (idempotent)."""
    if connection.dialect.name != "postgresql":
        return []
    tables = sorted(TEAM_READABLE)
    for table in tables:
        quoted = connection.dialect.identifier_preparer.quote(table)
        connection.execute(text(f"DROP POLICY IF EXISTS {TEAM_READ_POLICY} ON {quoted}"))
        connection.execute(text(
            f"CREATE POLICY {TEAM_READ_POLICY} ON {quoted} FOR SELECT USING {TEAM_CONDITION}"))
    return tables


def drop_team_reads(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    for table in sorted(TEAM_READABLE):
        quoted = connection.dialect.identifier_preparer.quote(table)
        connection.execute(text(f"DROP POLICY IF EXISTS {TEAM_READ_POLICY} ON {quoted}"))
