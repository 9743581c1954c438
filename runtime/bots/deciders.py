"""What the supervisor needs from whoever decides for its agent bots: a typed protocol.

An agent bot whose model is an LLM asks for each decision over the local channel
(`runtime.agents.channel`); the process that answers holds the LLM keys, the decision cache and
the accounting, so the bot never sees a key. That process is the supervisor itself, composed
with an implementation from the application layer (`api.services.agent_live`, started as
`python -m api.supervisor_host`); `runtime` only names the protocol, so it imports nothing of
`api`. A supervisor run without one (`python -m runtime.bots.supervisor`) gives agent bots no
channel: the offline baseline still decides in the bot, any other model holds.
"""

from __future__ import annotations

from typing import Protocol

from core.models import Deployment, StrategyVersion
from runtime.agents.channel import ChannelAddress


class LiveDeciders(Protocol):
    def open_deployment(self, dep: Deployment, version: StrategyVersion,
                        token: str | None = None) -> ChannelAddress | None:
        """Register a deployment about to start (or adopted: `token` is the one its bot
        knows); its channel address, or None when its version is not an agent."""

    def close_deployment(self, deployment_id: int) -> None:
        """The deployment's bot is gone: refuse its token from now on."""

    def close(self) -> None:
        """Stop serving (the supervisor is stopping; its bots hold until the next one)."""
