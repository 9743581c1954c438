"""The supervisor as the application runs it: `python -m api.supervisor_host`.

`runtime.bots.supervisor` runs the bots; it knows nothing of LLM providers (runtime imports
only core). This entry point composes it with the decision host of agent bots
(`api.services.agent_live.LiveAgentDecisions`), so a deployed agent whose model is an LLM gets
its decisions from this process, which holds the keys, and never from its own. The API and the
CLI start this module (`DeploymentService`, `stratforge supervisor run`).
"""

from __future__ import annotations

import sys

from api.services.agent_live import LiveAgentDecisions
from api.services.context import AppContext
from core.config import Settings
from runtime.bots.supervisor import main as supervisor_main

MODULE = "api.supervisor_host"


def _deciders(settings: Settings) -> LiveAgentDecisions:
    return LiveAgentDecisions(AppContext.open(settings))


def main() -> int:
    return supervisor_main(_deciders)


if __name__ == "__main__":
    sys.exit(main())
