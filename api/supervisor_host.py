"""The supervisor as the application runs it: `python -m api.supervisor_host`.

`runtime.bots.supervisor` runs the bots; it knows nothing of LLM providers (runtime imports
only core). This entry point composes it with the decision host of agent bots
(`api.services.agent_live.LiveAgentDecisions`), so a deployed agent whose model is an LLM gets
its decisions from this process, which holds the keys, and never from its own. The API and the
CLI start this module (`DeploymentService`, `stratforge supervisor run`).

The decision host is built when the first agent deployment starts or is adopted
(`LazyDeciders`): a supervisor of rule-based bots never imports the application's agent stack,
which was ~1.7 s of a cold start before its first bot could start.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from core.config import Settings
from core.models import Deployment, StrategyVersion
from generator.agent_spec import is_agent_spec
from runtime.bots.supervisor import main as supervisor_main

if TYPE_CHECKING:
    from api.services.agent_live import LiveAgentDecisions
    from runtime.agents.channel import ChannelAddress

MODULE = "api.supervisor_host"


class LazyDeciders:
    """`runtime.bots.deciders.LiveDeciders`: `LiveAgentDecisions`, built at the first agent
    version it is asked to serve (a rule-based version gets no channel without it)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._host: LiveAgentDecisions | None = None

    def _built(self) -> LiveAgentDecisions:
        if self._host is None:
            from api.services.agent_live import LiveAgentDecisions
            from api.services.context import AppContext

            self._host = LiveAgentDecisions(AppContext.open(self.settings))
        return self._host

    def open_deployment(self, dep: Deployment, version: StrategyVersion,
                        token: str | None = None) -> ChannelAddress | None:
        if not is_agent_spec(version.spec):
            return None
        return self._built().open_deployment(dep, version, token=token)

    def close_deployment(self, deployment_id: int) -> None:
        if self._host is not None:
            self._host.close_deployment(deployment_id)

    def close(self) -> None:
        if self._host is not None:
            self._host.close()


def main() -> int:
    return supervisor_main(LazyDeciders)


if __name__ == "__main__":
    sys.exit(main())
