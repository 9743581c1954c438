"""The dashboard in real headless Chromium, driven by Playwright: sign in, walk every page and
action (bot builder → backtest report → compare, versions, clone, import, restore, delete,
a two-parameter sweep and a cancelled one, an agent's model comparison and decisions, deploy →
fill → manual order → stop → resume → kill switch → clear halt on the local venue, account
settings), a viewer's disabled controls, CSRF refusals; screenshots of every page in the dark
and the light theme (and a phone viewport) land in `test-artifacts/dashboard/`.

One server (uvicorn in a thread, over a temporary data directory) and one browser per module.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import require_or_skip
from deploy_support import BUY_AND_HOLD, deploy_environment, shutdown, wait_for

CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else (
    shutil.which("chromium") or shutil.which("chromium-browser"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
ADMIN = ("admin@example.com", "correct horse battery")
VIEWER = ("viewer@example.com", "viewer password 1")
GOLDEN = ("Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
          "back below")
AGENT = "Each month, split between SPY, TLT and GLD given the last 2 months of prices"
SLOW_MS = 300_000


def _playwright() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    base: str
    settings: Any
    services: Any
    env: dict[str, str]

    def admin(self) -> int:
        return int(self.services.accounts.find_by_name_or_email(ADMIN[0]).id)


def _environment(tmp: Path, market: Path) -> dict[str, str]:
    with pytest.MonkeyPatch.context() as mp:
        deploy_environment(mp, tmp, market, STRATFORGE_ADMIN_EMAIL=ADMIN[0],
                           STRATFORGE_ADMIN_PASSWORD=ADMIN[1])
        return {k: v for k, v in os.environ.items()
                if k.startswith(("STRATFORGE_", "ALPACA_", "APCA_"))}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, sample_market_dir: Path
           ) -> Iterator[Served]:
    require_or_skip(CHROMIUM is not None, "Chromium is not installed (Debian package chromium)")
    require_or_skip(_playwright() is not None, "Playwright's Python package is not installed")
    import uvicorn

    from api.app import create_app
    from core.config import Settings, reset_settings
    from core.db import dispose_engines

    tmp = tmp_path_factory.mktemp("dashboard")
    env = _environment(tmp, sample_market_dir)
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        reset_settings()
        settings = Settings()
        app = create_app(settings)
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            wait_for(lambda: server.started, timeout=60, what="dashboard server")
            services = app.state.services
            services.accounts.create_user("viewer", role="viewer", email=VIEWER[0],
                                          password=VIEWER[1])
            yield Served(f"http://127.0.0.1:{port}", settings, services, env)
        finally:
            shutdown(settings)
            server.should_exit = True
            thread.join(timeout=30)
            dispose_engines()
            reset_settings()


@pytest.fixture
def env(served: Served, monkeypatch: pytest.MonkeyPatch) -> Served:
    """The data directory's variables again (conftest clears STRATFORGE_* before each test):
    the supervisor and bots a deploy starts inherit them."""
    for name, value in served.env.items():
        monkeypatch.setenv(name, value)
    return served


@pytest.fixture(scope="module")
def browser(served: Served) -> Iterator[Any]:
    sync_playwright = _playwright()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


class Session:
    """One signed-in browser context: pages, console errors (a CSP violation is one), and the
    screenshots taken."""

    def __init__(self, browser: Any, base: str, **context: Any) -> None:
        self.base = base
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(
            f"{m.text} ({m.location.get('url')} on {self.page.url})") if m.type == "error"
            else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: d.accept())  # every confirmation: yes

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        return response

    def sign_in(self, email: str, password: str) -> None:
        self.go("/ui/login")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("form[action='/ui/login'] button")
        self.page.wait_for_url(self.base + "/ui")

    def click_to_page(self, target: Any) -> None:
        """Click what leads to another page (a selector or a locator) and wait until that page
        has loaded: a look at the page while it loads sees an empty document."""
        with self.page.expect_navigation():
            if isinstance(target, str):
                self.page.click(target)
            else:
                target.click()

    def csrf(self) -> str:
        return str(self.page.locator("input[name=csrf]").first.get_attribute("value"))

    def reload(self) -> None:
        """Reload for a poll. A live page reloads itself too (`data-refresh`); when the two
        collide Chromium answers "not attached to an active page": the next look tries again."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            self.page.reload()
        except PlaywrightError as exc:
            if "not attached" not in str(exc).lower() and "interrupted" not in str(exc).lower():
                raise

    def wait_text(self, selector: str, pattern: str, timeout: float = 120.0,
                  reload: bool = True) -> str:
        """Poll a page until `selector`'s text matches (reloading it between looks)."""
        def look() -> str | None:
            if reload:
                self.reload()
            texts = self.page.locator(selector).all_inner_texts()
            return next((t for t in texts if re.search(pattern, t)), None)
        return str(wait_for(look, timeout=timeout, every=1.0, what=f"{selector} ~ {pattern}"))

    def shoot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.wait_for_load_state("networkidle")
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def shoot_both(self, name: str) -> None:
        """This page in the dark theme, then the light one (the account is left dark)."""
        for theme in ("dark", "light"):
            assert self.page.locator("html").get_attribute("data-theme") == theme
            if self.page.locator("[data-figure]").count():
                self.page.wait_for_selector("[data-drawn=yes]")
            self.shoot(f"{theme}-{name}")
            self.page.click("header .who form[action='/ui/theme'] button")
            self.page.wait_for_load_state()

    def close(self) -> None:
        self.context.close()


def _ids(url: str) -> int:
    return int(re.search(r"/(\d+)(?:[#?].*)?$", url).group(1))  # type: ignore[union-attr]


def test_sign_in_csrf_and_a_viewers_disabled_controls(served: Served, browser: Any) -> None:
    with httpx.Client(base_url=served.base, timeout=30) as client:
        assert client.get("/ui").status_code == 401  # the sign-in page
        assert client.get("/ui/live").status_code == 401
        refused = client.post("/ui/login", data={"email": ADMIN[0], "password": ADMIN[1]})
        assert refused.status_code == 403 and "csrf" in refused.text  # no token, no sign-in
    s = Session(browser, served.base)
    try:
        s.go("/ui/login")
        s.page.fill("#email", ADMIN[0])
        s.page.fill("#password", "wrong password")
        s.page.click("form[action='/ui/login'] button")
        assert "wrong_credentials" in s.page.locator("[role=alert]").inner_text()
        cookies = {c["name"]: c for c in s.context.cookies()}
        assert cookies["stratforge_csrf"]["httpOnly"]
        s.sign_in(*ADMIN)
        key = {c["name"]: c for c in s.context.cookies()}["stratforge_key"]
        assert key["httpOnly"] and key["sameSite"] == "Strict"
        # a form without this session's token changes nothing
        forged = s.context.request.post(served.base + "/ui/strategies",
                                        form={"text": BUY_AND_HOLD, "csrf": "forged"})
        assert forged.status == 403 and "csrf" in forged.text()
        assert served.services.strategies.strategies_page(served.admin()).total == 0
        s.go("/ui/strategies")
        assert "No strategy matches" in s.page.content()
    finally:
        s.close()

    viewer = Session(browser, served.base)
    try:
        viewer.sign_in(*VIEWER)
        assert "viewer" in viewer.page.locator("header .who").inner_text()
        viewer.go("/ui/live")
        assert viewer.page.locator("form[action='/ui/live/kill'] button").is_disabled()
        assert viewer.page.locator("form[action='/ui/live/orders'] button").is_disabled()
        tried = viewer.context.request.post(served.base + "/ui/live/kill",
                                            form={"csrf": viewer.csrf(), "confirmed": "yes"})
        assert tried.status == 403 and "role_forbidden" in tried.text()
        viewer.go("/ui/account")
        assert "A viewer cannot see or change keys" in viewer.page.content()
        viewer.go("/ui/builder")
        assert viewer.errors == []
    finally:
        viewer.close()


@pytest.mark.slow
def test_walk_every_page_and_action(env: Served, browser: Any) -> None:
    s = Session(browser, env.base, viewport={"width": 1280, "height": 900})
    shots: dict[str, str] = {}
    try:
        s.sign_in(*ADMIN)
        shots["overview-empty"] = "/ui"

        # -- bot builder: understood, ignored words, a clarification, a template ------------
        s.go("/ui/builder")
        s.page.fill("#b-text", "Buy SPY when RSI is below 30 and sell when it drops")
        s.click_to_page("text=Check what it means")
        assert "Which do you mean?" in s.page.content()
        shots["builder-question"] = s.page.url.removeprefix(env.base)
        s.click_to_page(s.page.locator("#understood-h ~ .stack a.button").first)
        assert "Which do you mean?" not in s.page.content()
        assert s.page.locator("td code", has_text="rsi").count() >= 1
        s.page.fill("#b-text", "Classic 60/40: 60% SPY and 40% AGG, rebalanced monthly")
        s.click_to_page("text=Check what it means")
        assert "classic" in s.page.locator("h3:text('Ignored words') + .chips").inner_text()
        s.go("/ui/builder")
        s.click_to_page(s.page.locator("text=Use").first)
        assert "What stratforge understood" in s.page.content()
        s.page.fill("#b-text", GOLDEN)
        s.click_to_page("text=Check what it means")
        assert "SMA" in s.page.locator("#understood-h + p").inner_text()
        assert s.page.locator("td code", has_text="symbols").count() == 1
        shots["builder"] = s.page.url.removeprefix(env.base)
        s.page.click("text=Create and backtest")
        s.page.wait_for_url(re.compile(r"/ui/backtests/\d+$"))
        first_run = _ids(s.page.url)

        # -- backtest report -------------------------------------------------------------------
        s.page.wait_for_selector("h1 .badge.succeeded", timeout=SLOW_MS)
        s.page.wait_for_selector("[data-drawn=yes]")
        assert s.page.locator("[data-drawn=yes]").count() == 4  # equity, drawdown, heat, Sharpe
        assert "Results vs buy & hold SPY" in s.page.inner_text("#m-h")
        assert s.page.locator("#t-h + .table-wrap tbody tr").count() > 0
        for fmt, marker in (("csv", "date,equity"), ("json", '"metrics"'), ("html", "<html")):
            got = s.context.request.get(f"{env.base}/ui/backtests/{first_run}/export.{fmt}")
            assert got.status == 200 and marker in got.text()[:2000]
        sheet = s.context.request.get(f"{env.base}/ui/backtests/{first_run}/tearsheet",
                                      timeout=120_000)
        assert sheet.status == 200 and "<html" in sheet.text()[:500].lower()
        shots["backtest"] = f"/ui/backtests/{first_run}"
        s.page.click("text=" + "Compare with other runs")
        strategy_id = _ids(s.page.url.split("#")[0])

        # -- strategy: a second run with other parameters, then compare the two --------------
        params = s.page.locator("input[name^='param.']")
        assert params.count() >= 2
        name = str(params.first.get_attribute("name"))
        s.page.fill(f"input[name='{name}']", "30")
        s.page.fill("#bt-start", "2016-01-04")
        s.page.fill("#bt-end", "2019-12-31")
        s.page.click("#bt-h ~ form button[type=submit]")
        s.page.wait_for_selector("h1 .badge.succeeded", timeout=SLOW_MS)
        second_run = _ids(s.page.url)
        assert f"{name[6:]}=30" in s.page.locator(".card p.muted").first.inner_text()
        s.go(f"/ui/strategies/{strategy_id}")
        for run_id in (first_run, second_run):
            s.page.check(f"input[name=runs][value='{run_id}']")
        s.page.click("text=Compare selected")
        s.page.wait_for_selector("[data-drawn=yes]")
        assert s.page.locator("thead th a").count() == 2
        shots["compare"] = s.page.url.removeprefix(env.base)

        # -- versions: import edited code (v2), diff, restore v1 (v3), export, clone, delete --
        s.go(f"/ui/strategies/{strategy_id}")
        code = s.page.locator("#code-h + pre").inner_text()
        s.page.click("text=Import edited code as a new version")
        s.page.fill("#import-code", code.replace("class ", "# edited in the browser\nclass ", 1))
        s.page.click("text=Import as a new version")
        assert "Version 2 (edited)" in s.page.content()
        s.page.click("text=diff with v2")
        assert "+# edited in the browser" in s.page.locator("pre.diff").inner_text()
        s.page.click("text=Restore v1")
        assert "Version 3 (restored)" in s.page.content()
        exported = s.context.request.get(f"{env.base}/ui/strategies/{strategy_id}/export")
        assert exported.status == 200 and "class " in exported.text()
        shots["strategy"] = f"/ui/strategies/{strategy_id}?a=1&b=2"
        s.page.fill("#clone-name", "Golden clone")
        s.page.click("form[action$='/clone'] button")
        clone_id = _ids(s.page.url)
        assert clone_id != strategy_id and "Golden clone" in s.page.inner_text("h1")
        s.page.click("form[action$='/delete'] button")  # confirmed by the dialog handler
        s.page.wait_for_url(env.base + "/ui/strategies")
        assert "Golden clone" not in s.page.content()
        unconfirmed = s.context.request.post(
            f"{env.base}/ui/strategies/{strategy_id}/delete", form={"csrf": s.csrf()})
        assert unconfirmed.status == 422 and "unconfirmed" in unconfirmed.text()
        # the exported file imports back as a new strategy (the list's upload), then goes
        s.go("/ui/strategies")
        s.page.click("text=Import a strategy file")
        s.page.set_input_files("#import-file", files=[{
            "name": "golden.py", "mimeType": "text/x-python", "buffer": exported.body()}])
        s.page.fill("#import-name", "Imported golden")
        s.page.click("text=Import as a new strategy")
        s.page.wait_for_url(re.compile(r"/ui/strategies/\d+$"))
        assert _ids(s.page.url) not in (strategy_id, clone_id)
        assert "Version 1 (imported)" in s.page.content()
        assert s.page.locator(".badge.passed").count() >= 1
        s.page.click("form[action$='/delete'] button")
        s.page.wait_for_url(env.base + "/ui/strategies")

        # -- a plain strategy to deploy; the list's search, filters, sort and pages ----------
        s.go(f"/ui/builder?text={BUY_AND_HOLD.replace(' ', '+')}")
        s.page.click("text=Create strategy (code + validation)")
        s.page.wait_for_url(re.compile(r"/ui/strategies/\d+$"))
        hold_id = _ids(s.page.url)
        s.go("/ui/strategies?q=golden")
        assert s.page.locator("tbody tr").count() == 1
        s.go("/ui/strategies?symbol=SPY&status=passed&origin=restored&sort=name")
        assert s.page.locator("tbody tr").count() == 1
        s.go("/ui/strategies?sort=-id")
        assert "buy" in s.page.locator("tbody tr").first.inner_text().lower()
        shots["strategies"] = "/ui/strategies?sort=-id"

        # -- batches: a 2×2 sweep to its heatmap and leaderboard; another one cancelled ------
        s.go(f"/ui/strategies/{strategy_id}")
        names = [str(x.get_attribute("name"))[6:]
                 for x in s.page.locator("input[name^='param.']").all()]
        fast, slow = sorted(n for n in names if "sma" in n.lower() or "period" in n.lower())[:2]
        s.go("/ui/batches")
        s.page.select_option("#s-strategy", str(strategy_id))
        s.page.fill("#s-start", "2016-01-04")
        s.page.fill("#s-end", "2018-12-31")
        s.page.fill("#s-x", fast)
        s.page.fill("#s-xv", "20, 40")
        s.page.fill("#s-y", slow)
        s.page.fill("#s-yv", "100, 150")
        s.page.click("text=Start sweep")
        s.page.wait_for_url(re.compile(r"/ui/batches/\d+$"))
        batch_id = _ids(s.page.url)
        s.page.wait_for_selector("h1 .badge.finished, h1 .badge.succeeded", timeout=SLOW_MS)
        s.page.wait_for_selector("[data-drawn=yes]")
        assert s.page.locator("#lb-h ~ form tbody tr").count() == 4, s.page.inner_text("main")
        assert "by " in s.page.locator("[data-figure]").first.get_attribute("data-figure")
        shots["batch"] = f"/ui/batches/{batch_id}"
        s.go("/ui/batches")
        s.page.select_option("#s-strategy", str(strategy_id))
        s.page.fill("#s-x", fast)
        s.page.fill("#s-xv", "10, 15, 20, 25, 30, 35")
        s.page.click("text=Start sweep")
        s.page.wait_for_url(re.compile(r"/ui/batches/\d+$"))
        cancelled_id = _ids(s.page.url)
        s.page.click("text=Cancel batch")
        s.wait_text("h1 .badge", "cancel", timeout=120)
        assert cancelled_id != batch_id
        shots["batches"] = "/ui/batches"

        # -- agents: model comparison and the decisions timeline -------------------------------
        created = env.services.agents.create_agent(env.admin(), AGENT, "offline")
        s.go("/ui/agents")
        s.page.click(f"a[href='/ui/agents/{created.id}']")
        s.page.fill("#c-start", "2021-01-04")
        s.page.fill("#c-end", "2021-06-30")
        s.page.click("text=Compare models")
        s.page.wait_for_url(re.compile(rf"/ui/agents/{created.id}"), timeout=SLOW_MS)
        assert s.page.locator("#models-h + .table-wrap tbody tr").count() >= 1
        assert s.page.locator("#dec-h + ol li").count() == 6  # one a month
        shots["agent"] = f"/ui/agents/{created.id}"
        shots["agents"] = "/ui/agents"

        # -- live trading: deploy → fill → manual order → stop → resume → kill → clear halt --
        s.go(f"/ui/strategies/{hold_id}")
        s.page.fill("#dep-sleep", "2S")
        s.page.click("#deploy-h ~ form button[type=submit]")
        s.page.wait_for_url(re.compile(r"/ui/live#d\d+$"))
        dep = int(s.page.url.rsplit("#d", 1)[1])
        card = f"#d{dep} h2 .badge"
        s.wait_text(card, "RUNNING")
        venue = wait_for(lambda: __import__("runtime.bots.venue_host", fromlist=["x"])
                         .known_venue(env.settings), what="venue")
        wait_for(lambda: s.reload() or s.page.locator("#orders-h + .table-wrap tbody tr")
                 .count(), what="the bot's first order on the page", every=1.0)

        def filled() -> int:  # the venue's clock runs (again, should the order come late)
            httpx.post(venue.url + "/venue/clock/advance", json={"seconds": 600}, timeout=30,
                       headers={"APCA-API-KEY-ID": venue.key_id,
                                "APCA-API-SECRET-KEY": venue.secret}).raise_for_status()
            s.reload()
            return s.page.locator("#fills-h + .table-wrap tbody tr", has_text="SPY").count()

        wait_for(filled, timeout=120, every=2.0, what="a fill on the live page")
        s.wait_text("#pos-h + .table-wrap tbody tr", "SPY")
        s.page.fill("#o-symbol", "SPY")
        s.page.fill("#o-qty", "1")
        s.page.click("form[action='/ui/live/orders'] button")
        s.page.wait_for_url(re.compile(r"/ui/live"))
        assert s.page.locator("#orders-h + .table-wrap tbody tr", has_text="manual").count() == 1
        s.shoot_both("live")  # while the bot runs
        s.go("/ui")
        assert s.page.locator("#bots-h ~ .table-wrap tbody tr").count() == 1
        s.shoot_both("overview")
        s.go("/ui/live")
        s.page.click(f"form[action='/ui/live/{dep}/stop'] button")
        s.wait_text(card, "STOPPED")
        s.page.click(f"form[action='/ui/live/{dep}/resume'] button")
        s.wait_text(card, "STARTING|RUNNING")
        s.page.click("form[action='/ui/live/kill'] button")
        s.wait_text(card, "HALTED")
        assert "kill" in s.page.locator(f"#d{dep} .error").inner_text().lower()
        s.page.click(f"form[action='/ui/live/{dep}/clear-halt'] button")
        s.wait_text(card, "STOPPED")
        s.go("/ui")
        assert s.page.locator("#runs-h + .table-wrap tbody tr").count() >= 2

        # -- account: profile, preferences, tokens, an integration's test, password ---------
        s.go("/ui/account")
        s.page.fill("#pr-name", "Ada Trader")
        s.page.click("text=Save profile")
        assert "Ada Trader" in s.page.locator("header .who").inner_text()
        s.page.uncheck("#n-fill")
        s.page.click("text=Save preferences")
        assert env.services.accounts.get_settings(env.admin()).notifications["fill"] is False
        s.page.fill("#tk-name", "laptop")
        s.page.click("text=Create token")
        token = s.page.input_value("#new-token")
        assert token.startswith("sf_")
        assert httpx.get(env.base + "/strategies", headers={"Authorization": f"Bearer {token}"}
                         ).status_code == 200
        s.page.locator("tr", has_text="laptop").locator("text=Revoke").click()
        assert httpx.get(env.base + "/strategies", headers={"Authorization": f"Bearer {token}"}
                         ).status_code == 401
        s.page.select_option("#in-kind", "openai_compatible")
        s.page.fill("#in-secret", "sk-local-test")
        s.page.fill("#in-url", f"http://127.0.0.1:{_free_port()}/v1")  # nothing listens
        s.page.click("#integrations-h ~ form button[type=submit]")
        s.page.locator("#integrations-h ~ .table-wrap button", has_text="Test").click()
        assert "failed" in s.page.locator("[role=status]").inner_text()
        shots["account"] = "/ui/account"
        shots["market-data"] = "/ui/market-data"
        assert s.errors == [], s.errors

        # -- screenshots: every page, dark then light, and a phone in both -------------------
        for theme in ("dark", "light"):
            for name, path in shots.items():
                s.go(path)
                if s.page.locator("[data-figure]").count():
                    s.page.wait_for_selector("[data-drawn=yes]")
                assert s.page.locator("html").get_attribute("data-theme") == theme
                s.shoot(f"{theme}-{name}")
            s.go("/ui/account")
            s.page.click("header .who form[action='/ui/theme'] button")
        phone = Session(browser, env.base, viewport={"width": 390, "height": 844},
                        is_mobile=True, has_touch=True)
        try:
            phone.sign_in(*ADMIN)
            for theme in ("dark", "light"):  # the walk switched the account back to dark
                for name in ("overview", "backtest", "live", "strategies", "builder"):
                    phone.go({"overview": "/ui", "live": "/ui/live"}.get(name) or shots[name])
                    assert phone.page.locator("html").get_attribute("data-theme") == theme
                    if phone.page.locator("[data-figure]").count():
                        phone.page.wait_for_selector("[data-drawn=yes]")
                    width = phone.page.evaluate("document.documentElement.scrollWidth")
                    assert width <= 400, f"{name} scrolls sideways on a phone ({width}px)"
                    phone.shoot(f"phone-{theme}-{name}")
                phone.go("/ui")
                phone.page.click("header .who form[action='/ui/theme'] button")
            assert phone.errors == [], phone.errors
        finally:
            phone.close()

        # -- a new password ends the session; the new one signs in ---------------------------
        s.go("/ui/account")
        s.page.fill("#pw-old", ADMIN[1])
        s.page.fill("#pw-new", "a brand new password")
        s.page.click("text=Change password")
        s.page.wait_for_url(env.base + "/ui/login")
        s.sign_in(ADMIN[0], "a brand new password")
        s.shoot("dark-login-after-password-change")
        s.page.click("text=Sign out")
        s.page.wait_for_url(env.base + "/ui/login")
        s.shoot("dark-login")
        assert s.go("/ui").status == 401
    finally:
        s.close()
