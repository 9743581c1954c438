"""The audit log's before/after summaries (`core.changes`): what a flush changed, short, and
never a secret."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from core.changes import MAX_ROWS, collect_changes, describe
from core.config import Settings
from core.db import dispose_engines, get_engine, migrate
from core.models import Integration, Strategy, User


def test_a_flush_is_summarised_before_and_after_without_secrets(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    migrate(settings)
    engine = get_engine(settings)
    secret = "sk-live-" + "VERYSECRET" * 3
    try:
        # outside a change set nothing is collected
        with Session(engine, expire_on_commit=False) as db:
            user = User(name="alice", password_hash="$argon2id$v=19$m=65536$abc$def")
            db.add(user)
            db.commit()
            uid = user.id or 0
        with collect_changes() as changes, Session(engine, expire_on_commit=False) as db:
            row = Integration(owner_id=uid, kind="openai", name="mine", secret_enc=secret,
                              masked="sk-...CRET")
            strategy = Strategy(owner_id=uid, name="x" * 200, slug="s", text="t")
            db.add_all([row, strategy])
            db.commit()
        # a service loads a row, then changes it
        with collect_changes() as more, Session(engine, expire_on_commit=False) as db:
            loaded, alice = db.get(Integration, row.id), db.get(User, uid)
            assert loaded is not None and alice is not None
            loaded.name, loaded.secret_enc = "renamed", secret + "2"
            alice.password_hash = "$argon2id$v=19$m=65536$new$hash"
            alice.display_name = "Alice"
            db.commit()
            gone = db.get(Strategy, strategy.id)
            db.delete(gone)
            db.commit()
        found = [c.as_json() for c in changes.rows + more.rows]
        inserted = next(c for c in found if c["table"] == "integrations" and c["op"] == "insert")
        assert inserted["after"]["name"] == "mine" and inserted["after"]["kind"] == "openai"
        assert inserted["after"]["secret_enc"] == inserted["after"]["masked"] == "(secret)"
        updated = next(c for c in found if c["table"] == "integrations" and c["op"] == "update")
        assert updated["before"] == {"name": "mine", "secret_enc": "(secret)"}
        assert updated["after"] == {"name": "renamed", "secret_enc": "(secret)"}
        user_change = next(c for c in found if c["table"] == "users")
        assert user_change["after"] == {"password_hash": "(secret)", "display_name": "Alice"}
        long_name = next(c for c in found if c["table"] == "strategies")["after"]["name"]
        assert long_name.startswith("xxx") and long_name.endswith("(200 chars)")
        deleted = next(c for c in found if c["op"] == "delete")
        assert deleted["table"] == "strategies" and deleted["before"]["slug"] == "s"
        text = repr(found) + describe(found, limit=10)
        assert secret not in text and "argon2" not in text and "CRET" not in text
        assert describe(found).endswith("+2 more")
        assert "integrations 1 update: name 'mine' → 'renamed'" in describe(found, limit=10)
    finally:
        dispose_engines()


def test_a_large_change_keeps_a_bounded_summary(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    migrate(settings)
    try:
        engine = get_engine(settings)
        with collect_changes() as changes, Session(engine, expire_on_commit=False) as db:
            user = User(name="bulk")
            db.add(user)
            db.flush()
            db.add_all([Strategy(owner_id=user.id or 0, name=f"s{i}", slug=f"s{i}", text="t")
                        for i in range(MAX_ROWS + 15)])
            db.commit()
        assert len(changes.rows) == MAX_ROWS
        assert changes.as_json()[-1] == {"more_rows": 16}
    finally:
        dispose_engines()
