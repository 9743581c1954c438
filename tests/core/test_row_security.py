"""Row-level security on PostgreSQL (127.0.0.1:5432): the database enforces per-user isolation
a second time, so a query that forgets the owner filter still sees only the current user's
rows. The server runs as an ordinary role here (superusers bypass RLS by design)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from core.config import Settings
from core.db import dispose_engines, ensure_user, get_engine, migrate
from core.models import Integration, Strategy, Team, TeamMember
from core.rls import TEAM_READ_POLICY, owned_tables
from core.scope import TEAM_READABLE, owner_scope


@pytest.fixture
def app_role_url(postgres_url: str) -> Iterator[tuple[str, str]]:
    """(superuser url, ordinary-role url) of one fresh database, migrated as the superuser."""
    role = f"sf_app_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS"))
    migrate(Settings(database_url=postgres_url))
    with admin.connect() as conn:
        conn.execute(text(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}"))
        conn.execute(text(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    user_url = postgres_url.replace("postgres@", f"{role}@", 1)
    try:
        yield postgres_url, user_url
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
        admin.dispose()
        with create_engine(postgres_url.rsplit("/", 1)[0] + "/test",
                           isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))


def _two_users_with_strategies(settings: Settings) -> tuple[int, int]:
    engine = get_engine(settings)
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as db:  # the server's own session
        a, b = ensure_user(db, "alice", "trader"), ensure_user(db, "bob", "trader")
        for user, slug in ((a, "a1"), (a, "a2"), (b, "b1")):
            db.add(Strategy(owner_id=user.id or 0, name=slug, slug=slug, text="t"))
        db.commit()
        return a.id or 0, b.id or 0


@pytest.mark.postgres
def test_a_select_that_forgets_the_filter_gets_only_the_current_users_rows(
        app_role_url: tuple[str, str], tmp_path: Path) -> None:
    _, user_url = app_role_url
    settings = Settings(home=tmp_path, database_url=user_url)
    alice, bob = _two_users_with_strategies(settings)
    engine = get_engine(settings)
    from sqlmodel import Session

    forgotten = text("SELECT slug FROM strategies ORDER BY slug")  # raw SQL: no ORM criteria
    with owner_scope(alice), Session(engine) as db:
        assert [r[0] for r in db.execute(forgotten)] == ["a1", "a2"]
    with owner_scope(bob), Session(engine) as db:
        assert [r[0] for r in db.execute(forgotten)] == ["b1"]
        # writing a row for someone else is refused by the database too
        with pytest.raises(DBAPIError, match="row-level security"):
            db.execute(text("INSERT INTO strategies (owner_id, name, slug, text, "
                            "latest_version, created_at, updated_at) VALUES "
                            f"({alice}, 'x', 'x', 't', 0, now(), now())"))
        db.rollback()
        # and another user's rows cannot be changed or deleted, even by id
        db.execute(text("UPDATE strategies SET name = 'stolen' WHERE slug = 'a1'"))
        db.execute(text("DELETE FROM strategies WHERE slug = 'a2'"))
        db.commit()
    with Session(engine) as db:  # the server's own work sees everything
        rows = dict(db.execute(text("SELECT slug, name FROM strategies")).all())
    assert rows == {"a1": "a1", "a2": "a2", "b1": "b1"}
    # a connection that never said who it is sees nothing
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM strategies")).scalar_one() == 0


@pytest.mark.postgres
def test_team_mates_read_each_others_results_in_the_database_and_nothing_else(
        app_role_url: tuple[str, str], tmp_path: Path) -> None:
    admin_url, user_url = app_role_url
    settings = Settings(home=tmp_path, database_url=user_url)
    alice, bob = _two_users_with_strategies(settings)
    engine = get_engine(settings)
    from sqlmodel import Session, select

    with Session(engine, expire_on_commit=False) as db:  # the server's own session
        carol = ensure_user(db, "carol", "viewer").id or 0
        team = Team(name="alpha")
        db.add(team)
        db.flush()
        db.add_all([TeamMember(team_id=team.id or 0, user_id=alice),
                    TeamMember(team_id=team.id or 0, user_id=carol),
                    Integration(owner_id=alice, kind="anthropic", name="k",
                                secret_enc="sealed", masked="sk-...1234")])
        db.commit()
    forgotten = text("SELECT slug FROM strategies ORDER BY slug")
    with owner_scope(carol), Session(engine) as db:  # raw SQL: only the database's rule
        assert [r[0] for r in db.execute(forgotten)] == ["a1", "a2"]
        assert db.execute(text("SELECT count(*) FROM integrations")).scalar_one() == 0
        changed = db.execute(text("UPDATE strategies SET name = 'stolen' WHERE slug = 'a1'"))
        deleted = db.execute(text("DELETE FROM strategies WHERE slug = 'a2'"))
        assert changed.rowcount == 0 and deleted.rowcount == 0  # type: ignore[attr-defined]
        db.commit()
        with pytest.raises(DBAPIError, match="row-level security"):
            db.execute(text("INSERT INTO strategies (owner_id, name, slug, text, "
                            "latest_version, created_at, updated_at) VALUES "
                            f"({alice}, 'x', 'x', 't', 0, now(), now())"))
        db.rollback()
    with owner_scope(bob), Session(engine) as db:  # another team sees its own alone
        assert [r[0] for r in db.execute(forgotten)] == ["b1"]
    # the ORM adds team-mates only when the scope carries them (the API: reads only)
    with owner_scope(carol, team={alice}), Session(engine) as db:
        assert sorted(s.slug for s in db.exec(select(Strategy)).all()) == ["a1", "a2"]
    with owner_scope(carol), Session(engine) as db:
        assert db.exec(select(Strategy)).all() == []
    with Session(engine) as db:
        assert dict(db.execute(text("SELECT slug, name FROM strategies")).all()) == {
            "a1": "a1", "a2": "a2", "b1": "b1"}
    with create_engine(admin_url).connect() as conn:
        policies = {r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_policies WHERE policyname = :p AND cmd = 'SELECT'"),
            {"p": TEAM_READ_POLICY})}
    assert policies == set(TEAM_READABLE)


@pytest.mark.postgres
def test_every_owned_table_has_the_policy_tables_added_later_included(
        app_role_url: tuple[str, str]) -> None:
    admin_url, _ = app_role_url
    engine = create_engine(admin_url)
    with engine.begin() as conn:  # a table no model or migration knows (added by hand later)
        conn.execute(text("CREATE TABLE later_owned_things (id serial PRIMARY KEY, "
                          "owner_id integer NOT NULL REFERENCES users(id), target text)"))
    migrate(Settings(database_url=admin_url))
    with engine.connect() as conn:
        tables = owned_tables(conn)
        policies = {r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_policies WHERE policyname = 'stratforge_owner'"))}
        forced = {r[0] for r in conn.execute(text(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity"))}
    assert "later_owned_things" in tables and "strategies" in tables
    assert "notification_channels" in tables and "agent_decisions" in tables
    assert "integrations" in tables and "api_tokens" in tables
    assert set(tables) <= policies and set(tables) <= forced
    engine.dispose()


@pytest.mark.postgres
def test_the_app_runs_under_row_security_as_an_ordinary_role(
        app_role_url: tuple[str, str], tmp_path: Path, sample_market_dir: Path) -> None:
    """Sign-in, creating, listing and guessing ids through the API, with RLS in force."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
    from accounts_support import GOLDEN, accounts_app, signed_in

    _, user_url = app_role_url
    with accounts_app(tmp_path, sample_market_dir, database_url=user_url) as client:
        alice, bob = signed_in(client, "alice"), signed_in(client, "bob")
        made = client.post("/strategies", json={"text": GOLDEN}, headers=alice)
        assert made.status_code == 201, made.text
        sid = made.json()["id"]
        assert [s["id"] for s in client.get("/strategies", headers=alice).json()] == [sid]
        assert client.get("/strategies", headers=bob).json() == []
        assert client.get(f"/strategies/{sid}", headers=bob).status_code == 404
        teams = client.app.state.services.teams  # type: ignore[attr-defined]
        teams.create_team("alpha")
        for name in ("alice", "bob"):
            teams.add_member("alpha", name)
        assert client.get(f"/strategies/{sid}", headers=bob).json()["id"] == sid
        assert [s["id"] for s in client.get("/strategies", headers=bob).json()] == [sid]
        assert client.get(f"/strategies/{sid}/versions/1/code", headers=bob).status_code == 200
        refused = client.delete(f"/strategies/{sid}", headers=bob)
        assert refused.status_code == 403 and refused.json()["code"] == "team_read_only"
        assert client.get(f"/strategies/{sid}", headers=alice).status_code == 200
        audit = client.app.state.services.audit.list_events()  # type: ignore[attr-defined]
        assert any(e.action == "POST /strategies" for e in audit)
    dispose_engines()
