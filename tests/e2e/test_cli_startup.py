"""What the command line loads before it knows the command: its help and a mistyped command must
not open the services (the database models, pandas, the executors). A command loads them when it
first needs them (`api.cli.console.services`)."""

from __future__ import annotations

import subprocess
import sys

_HEAVY = ("api.services.container", "api.services.views", "runtime.executors", "pandas",
          "core.models", "lumibot")


def _loaded_after(code: str) -> set[str]:
    probe = (f"import sys\n{code}\n"
             f"print('LOADED=' + ','.join(m for m in {_HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=True)
    # (the help the probe prints comes first: the probe's answer is its last line)
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("LOADED="), done.stdout[-500:]
    return {m for m in last.removeprefix("LOADED=").split(",") if m}


def test_the_cli_app_imports_no_service() -> None:
    assert _loaded_after("import api.cli.app") == set()


def test_help_imports_no_service() -> None:
    loaded = _loaded_after(
        "import api.cli.app as cli\n"
        "for argv in (['--help'], ['strategies', '--help'], ['no-such-command']):\n"
        "    try:\n"
        "        cli.app(args=argv, prog_name='stratforge')\n"
        "    except SystemExit:\n"
        "        pass")
    assert loaded == set()


def test_the_probe_sees_what_a_command_loads() -> None:
    # the same probe, after the services are opened as a command opens them: it would have
    # caught the imports above
    loaded = _loaded_after("from api.services.container import Services")
    assert {"api.services.container", "api.services.views", "pandas"} <= loaded
