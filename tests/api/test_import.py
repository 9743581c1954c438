"""Importing a strategy file as a new strategy: a `stratforge export` file and a spec JSON round
trip through the API and the dashboard's upload (the CLI's `stratforge import`:
tests/e2e/test_cli.py), and files that cannot become a strategy are refused with their
reason."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_support import PASSWORD, accounts_app, add_user
from conftest import make_settings, ui_csrf
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.export import standalone_source, strategy_source
from core.db import dispose_engines

GOLDEN = (
    "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
    "back below"
)
EXAMPLES = Path(__file__).resolve().parents[2] / "generated_strategies" / "examples"


@pytest.fixture
def client(tmp_path: Path, sample_market_dir: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, sample_market_dir, smoke_backtest_days=120)
    with TestClient(create_app(settings)) as c:
        yield c
    dispose_engines()


def _created(client: TestClient) -> dict:
    created = client.post("/strategies", json={"text": GOLDEN})
    assert created.status_code == 201, created.text
    return created.json()


@pytest.mark.parametrize("name", ["golden_cross", "rotation", "trend_alternative_stops"])
def test_an_exported_file_reads_back_as_the_code_it_was_made_from(name: str) -> None:
    source = (EXAMPLES / f"{name}.py").read_text()
    class_name = next(line.split()[1].split("(")[0] for line in source.splitlines()
                      if line.startswith("class "))
    exported = standalone_source(source, class_name)
    assert exported != source and "\n# ---- the strategy ----\n" in exported
    assert strategy_source(exported) == source
    assert strategy_source(source) is None  # a version's code is not an export


def test_export_then_import_makes_a_new_validated_strategy(client: TestClient) -> None:
    original = _created(client)
    exported = client.get(f"/strategies/{original['id']}/export")
    assert exported.status_code == 200
    imported = client.post("/strategies/import", json={
        "content": exported.text, "filename": "golden_cross_v1.py"})
    assert imported.status_code == 201, imported.text
    body = imported.json()
    assert body["id"] != original["id"]
    assert body["slug"] != original["slug"]
    assert body["version"]["origin"] == "imported"
    assert body["version"]["validation_status"] == "passed", body["version"]["validation"]
    assert body["code"] == original["code"]  # the helpers imported again, byte for byte
    assert body["name"] == original["name"]  # the file's docstring names it
    # it backtests like any strategy: its bars come from the code's data_symbols
    run = client.post("/backtests", json={"strategy_id": body["id"], "start": "2015-01-02",
                                          "end": "2016-12-30"})
    assert run.status_code == 202, run.text
    # the original is untouched
    assert client.get(f"/strategies/{original['id']}").json()["latest_version"] == 1


def test_a_spec_json_imports_as_a_generated_strategy(client: TestClient) -> None:
    original = _created(client)
    shown = client.get(f"/strategies/{original['id']}").json()
    imported = client.post("/strategies/import", json={
        "content": json.dumps(shown), "name": "Golden cross, imported"})
    assert imported.status_code == 201, imported.text
    body = imported.json()
    assert body["name"] == "Golden cross, imported"
    assert body["text"] == GOLDEN
    assert body["version"]["origin"] == "generated"
    assert body["version"]["validation_status"] == "passed"
    spec = dict(body["version"]["spec"])
    assert spec.pop("name") == "Golden cross, imported"
    expected = dict(original["version"]["spec"])
    expected.pop("name")
    assert spec == expected
    # a bare spec.json too
    bare = client.post("/strategies/import",
                       json={"content": json.dumps(original["version"]["spec"])})
    assert bare.status_code == 201, bare.text
    assert bare.json()["version"]["spec"] == original["version"]["spec"]


@pytest.mark.parametrize(("content", "status", "code"), [
    ("import os\n\nclass X:\n    pass\n", 422, "validation_failed"),
    ('"""no symbols"""\nfrom lumibot.strategies import Strategy\n\n\nclass NoBars(Strategy):\n'
     '    parameters = {"fast": 3}\n\n    def on_trading_iteration(self) -> None:\n'
     '        return None\n', 422, "no_symbols"),
    ('{"kind": "agent", "name": "a"}', 422, "not_importable"),
    ('{"name": "x", "symbols": ["SPY"]}', 422, "bad_spec"),
    ('{"spec": null, "name": "hand written"}', 422, "no_spec"),
    ("[1, 2]", 422, "bad_file"),
    ("{not json", 422, "bad_file"),
    ("   \n", 422, "empty_file"),
])
def test_files_that_cannot_become_a_strategy_are_refused_with_their_reason(
        client: TestClient, content: str, status: int, code: str) -> None:
    before = client.get("/strategies").headers["X-Total-Count"]
    answer = client.post("/strategies/import", json={"content": content})
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code
    assert client.get("/strategies").headers["X-Total-Count"] == before  # nothing recorded


def test_unknown_symbols_in_imported_code_are_refused(client: TestClient) -> None:
    original = _created(client)
    code = original["code"].replace('"data_symbols": ["SPY"]', '"data_symbols": ["NOPE"]')
    assert code != original["code"]
    answer = client.post("/strategies/import", json={"content": code})
    assert answer.status_code == 422, answer.text  # as for a created strategy
    assert answer.json()["code"] == "unknown_symbol"


def _ui_jar(client: TestClient, name: str, role: str) -> tuple[dict[str, str], str]:
    """Signs `name` in through the dashboard's form: the cookie header and the CSRF token."""
    email = add_user(client, name, role)
    csrf = ui_csrf(client)
    signin = client.post("/ui/login", data={"email": email, "password": PASSWORD,
                                            "csrf": csrf}, follow_redirects=False)
    assert signin.status_code == 303, signin.text
    key = signin.cookies.get("stratforge_key") or ""
    client.cookies.clear()
    return {"Cookie": f"stratforge_key={key}; stratforge_csrf={csrf}"}, csrf


def test_the_dashboard_uploads_a_file_and_a_viewer_cannot(tmp_path: Path,
                                                          sample_market_dir: Path) -> None:
    with accounts_app(tmp_path, sample_market_dir) as client:
        jar, csrf = _ui_jar(client, "owner", "trader")
        created = client.post("/ui/strategies", data={"text": GOLDEN, "csrf": csrf},
                              headers=jar, follow_redirects=False)
        assert created.status_code == 303, created.text
        sid = int(created.headers["location"].rsplit("/", 1)[1])
        spec_file = client.get(f"/ui/strategies/{sid}/export?format=json", headers=jar)
        assert spec_file.status_code == 200, spec_file.text
        assert json.loads(spec_file.text)["text"] == GOLDEN
        listing = client.get("/ui/strategies", headers=jar)
        assert 'action="/ui/strategies/import"' in listing.text
        answer = client.post("/ui/strategies/import", headers=jar,
                             data={"csrf": csrf, "name": "uploaded"},
                             files={"file": ("golden.json", spec_file.content,
                                             "application/json")},
                             follow_redirects=False)
        assert answer.status_code == 303, answer.text
        new_id = int(answer.headers["location"].rsplit("/", 1)[1])
        assert new_id != sid
        page = client.get(f"/ui/strategies/{new_id}", headers=jar)
        assert page.status_code == 200 and "uploaded" in page.text
        exported = client.get(f"/ui/strategies/{sid}/export", headers=jar)
        as_code = client.post("/ui/strategies/import", headers=jar, data={"csrf": csrf},
                              files={"file": ("golden_v1.py", exported.content)},
                              follow_redirects=False)
        assert as_code.status_code == 303, as_code.text
        # a viewer sees the form's button disabled, and the server refuses the upload
        viewer, viewer_csrf = _ui_jar(client, "watcher", "viewer")
        shown = client.get("/ui/strategies", headers=viewer).text
        assert re.search(r"<button type=\"submit\" disabled>Import as a new strategy", shown)
        refused = client.post("/ui/strategies/import", headers=viewer,
                              data={"csrf": viewer_csrf},
                              files={"file": ("golden.json", spec_file.content)})
        assert refused.status_code == 403
    dispose_engines()


def test_the_import_path_answers_other_methods_with_405(client: TestClient) -> None:
    # `/strategies/{id}` must not take "import" for an id: a GET or DELETE of the import path
    # is a method it does not have, and a strategy's own routes still answer by number
    strategy_id = _created(client)["id"]
    for method in ("GET", "DELETE"):
        answer = client.request(method, "/strategies/import")
        assert answer.status_code == 405, (method, answer.text)
        assert "POST" in answer.headers["allow"]
    assert client.get(f"/strategies/{strategy_id}").status_code == 200
    assert client.get("/strategies/999999").status_code == 404
    # a path served by routes of two modules (GET here, DELETE in versions): Allow names both
    answer = client.put(f"/strategies/{strategy_id}")
    assert answer.status_code == 405
    assert set(answer.headers["allow"].split(", ")) == {"GET", "DELETE"}, answer.headers
