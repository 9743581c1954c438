"""Accounts from the real `stratforge` command: users, login (a 0600 token file), acting as
the signed-in user (another user's strategy is not found), a viewer's refusal, logout."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

GOLDEN = (
    "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
    "back below"
)
PASSWORD = "correct horse battery staple"


def _cli() -> list[str]:
    exe = shutil.which("stratforge", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "api.cli"]


@pytest.fixture
def env(tmp_path: Path, sample_market_dir: Path) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith("STRATFORGE_")}
    for name in ("DATABASE_URL", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "ALPACA_API_KEY"):
        values.pop(name, None)
    values.update(STRATFORGE_HOME=str(tmp_path / "home"),
                  STRATFORGE_GENERATED_DIR=str(tmp_path / "generated"),
                  STRATFORGE_MARKET_DIR=str(sample_market_dir),
                  STRATFORGE_SMOKE_BACKTEST_DAYS="0")
    return values


def run(env: dict[str, str], *args: str, who: str | None = None, stdin: str = "",
        ) -> subprocess.CompletedProcess[str]:
    if who is not None:
        env = {**env, "STRATFORGE_CLI_CONFIG": str(Path(env["STRATFORGE_HOME"]).parent
                                                   / f"{who}.json")}
    return subprocess.run([*_cli(), *args], env=env, capture_output=True, text=True,
                          input=stdin, timeout=600)


def doc(done: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(done.stdout)


@pytest.mark.slow
def test_users_login_and_acting_as_the_signed_in_user(env: dict[str, str],
                                                      tmp_path: Path) -> None:
    for name, role in (("alice", "trader"), ("bob", "trader"), ("vera", "viewer")):
        made = run(env, "users", "create", name, "--role", role, "--email",
                   f"{name}@example.test", "--password-stdin", "--json", stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
        assert doc(made)["role"] == role
    wrong = run(env, "login", "--email", "alice@example.test", "--password-stdin", "--json",
                who="alice", stdin="not it\n")
    assert wrong.returncode == 1 and doc(wrong)["error"]["code"] == "wrong_credentials"
    for name in ("alice", "bob", "vera"):
        signed = run(env, "login", "--email", f"{name}@example.test", "--password-stdin",
                     "--json", who=name, stdin=PASSWORD + "\n")
        assert signed.returncode == 0, signed.stderr
    config = tmp_path / "alice.json"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert doc(run(env, "whoami", "--json", who="alice"))["name"] == "alice"

    created = run(env, "new", GOLDEN, "--json", who="alice")
    assert created.returncode == 0, created.stderr
    sid = str(doc(created)["strategy_id"])
    assert run(env, "strategies", "show", sid, "--json", who="alice").returncode == 0
    theirs = run(env, "strategies", "show", sid, "--json", who="bob")
    assert theirs.returncode == 1 and doc(theirs)["error"]["code"] == "strategy_not_found"
    assert doc(run(env, "strategies", "list", "--json", who="bob")) == []

    refused = run(env, "deploy", sid, "--json", who="vera")
    assert refused.returncode == 1 and doc(refused)["error"]["code"] == "role_forbidden"
    assert run(env, "strategies", "list", "--json", who="vera").returncode == 0

    out = run(env, "logout", "--json", who="alice")
    assert doc(out) == {"signed_out": True, "revoked": True} and not config.exists()
    audit = run(env, "audit", "--json")  # no sign-in: the local admin
    assert "auth.login" in {e["action"] for e in doc(audit)}
    # a command that changed rows is audited like a request: its user, its name, its rows;
    # reading commands and refused ones leave nothing
    alice_id = doc(run(env, "users", "list", "--json"))
    alice_id = next(u["id"] for u in alice_id if u["name"] == "alice")
    by_cli = [e for e in doc(audit) if e["summary"] and e["summary"].get("via") == "cli"]
    made_it = [e for e in by_cli if e["action"] == "cli new"]
    assert len(made_it) == 1 and made_it[0]["actor_id"] == alice_id
    assert made_it[0]["summary"]["exit_code"] == 0
    assert {"table": "strategies", "id": int(sid), "op": "insert"}.items() <= (
        made_it[0]["summary"]["changes"][0].items())
    assert not {e["action"] for e in by_cli} & {"cli strategies show", "cli strategies list",
                                                 "cli whoami", "cli deploy"}


@pytest.mark.slow
def test_teams_from_the_command_line(env: dict[str, str]) -> None:
    for name, role in (("alice", "trader"), ("vera", "viewer")):
        made = run(env, "users", "create", name, "--role", role, "--email",
                   f"{name}@example.test", "--password-stdin", "--json", stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
    created = run(env, "teams", "create", "research", "--json")  # the local admin
    assert created.returncode == 0, created.stderr
    assert doc(created)["name"] == "research" and doc(created)["members"] == []
    for who in ("alice", "vera@example.test"):
        assert run(env, "teams", "add", "research", who, "--json").returncode == 0
    listed = doc(run(env, "teams", "list", "--json"))
    assert [(t["name"], [m["name"] for m in t["members"]]) for t in listed] == [
        ("research", ["alice", "vera"])]
    again = run(env, "teams", "create", "research", "--json")
    assert again.returncode == 1 and doc(again)["error"]["code"] == "team_exists"
    missing = run(env, "teams", "add", "nope", "alice", "--json")
    assert missing.returncode == 1 and doc(missing)["error"]["code"] == "team_not_found"
    signed = run(env, "login", "--email", "vera@example.test", "--password-stdin", "--json",
                 who="vera", stdin=PASSWORD + "\n")
    assert signed.returncode == 0, signed.stderr
    refused = run(env, "teams", "create", "mine", "--json", who="vera")
    assert refused.returncode == 1 and doc(refused)["error"]["code"] == "role_forbidden"
    assert [t["name"] for t in doc(run(env, "teams", "list", "--json", who="vera"))] == [
        "research"]
    # a reading command sees the team-mates' results, as the API's GETs do
    assert run(env, "login", "--email", "alice@example.test", "--password-stdin", "--json",
               who="alice", stdin=PASSWORD + "\n").returncode == 0
    made = run(env, "new", GOLDEN, "--json", who="alice")
    assert made.returncode == 0, made.stderr
    sid = doc(made)["strategy_id"]
    seen = doc(run(env, "strategies", "list", "--json", who="vera"))
    assert [s["id"] for s in seen] == [sid]
    assert run(env, "strategies", "show", str(sid), "--json", who="vera").returncode == 0
    removed = run(env, "teams", "remove", "research", "alice", "--json")
    assert [m["name"] for m in doc(removed)["members"]] == ["vera"]
    assert doc(run(env, "strategies", "list", "--json", who="vera")) == []
