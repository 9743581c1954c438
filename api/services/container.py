"""The services of one process, composed explicitly from one `AppContext`.

`Services.open(settings)` is what the FastAPI lifespan and each CLI command call; routes, the
CLI, the dashboard and MCP reach every use case through its attributes
(`services.strategies.create_strategy(...)`, `services.backtests.execute_backtest(...)`). The
order of construction is the dependency order: nothing refers back to what is built after it.
"""

from __future__ import annotations

from collections.abc import Iterable

from api.services.accounts import Accounts
from api.services.agent_decisions import DecisionService
from api.services.agents import AgentService
from api.services.audit import AuditLog
from api.services.backtests import BacktestService
from api.services.batches.coordinator import BatchCoordinator
from api.services.batches.plan import BatchPlanner
from api.services.batches.results import BatchResults
from api.services.bot_builder import BotBuilder
from api.services.comparisons import ModelChoice
from api.services.confirmations import ConfirmationService
from api.services.context import AppContext
from api.services.deployments import DeploymentService
from api.services.generations import GenerationLedger
from api.services.imports import StrategyImporter
from api.services.integrations import IntegrationService
from api.services.market import MarketService
from api.services.monitoring import Monitoring
from api.services.notifications import NotificationService
from api.services.reconciliation import ReconciliationService
from api.services.runs import BacktestRunner, RunRecorder
from api.services.schedules import ScheduleService
from api.services.screening import ScreeningService
from api.services.sessions import SessionService
from api.services.strategies import StrategyService
from api.services.teams import TeamService
from api.services.validation import ValidationService
from api.services.versions import VersionService
from core.config import Settings
from core.scope import enter_owner
from runtime.executors import WarmWorker


class Services:
    def __init__(self, ctx: AppContext, started_workers: list[WarmWorker] | None = None) -> None:
        self.ctx = ctx
        self.runner = BacktestRunner(ctx, started_workers)
        self.decisions = DecisionService(ctx)  # agent strategies' runs ask it (issue 12)
        self.recorder = RunRecorder(ctx, self.decisions)
        self.generations = GenerationLedger(ctx)
        self.validation = ValidationService(ctx, self.runner)
        self.strategies = StrategyService(ctx, self.generations, self.validation)
        self.models = ModelChoice(ctx, self.generations, self.strategies, self.validation)
        self.versions = VersionService(ctx, self.strategies, self.validation)
        self.imports = StrategyImporter(ctx, self.strategies, self.validation)
        self.backtests = BacktestService(ctx, self.versions, self.runner, self.recorder)
        self.screening = ScreeningService(ctx, self.backtests)
        self.planner = BatchPlanner(ctx, self.versions, self.runner.executor_name,
                                    self.screening)
        self.batches = BatchCoordinator(ctx, self.planner, self.runner, self.recorder)
        self.results = BatchResults(ctx, self.backtests, self.screening)
        self.schedules = ScheduleService(ctx, self.planner, self.batches)
        self.deployments = DeploymentService(ctx)
        self.reconciliation = ReconciliationService(ctx, self.backtests, self.deployments)
        self.market = MarketService(ctx)
        self.agents = AgentService(ctx, self.strategies, self.validation, self.backtests,
                                   self.decisions)
        self.monitoring = Monitoring(ctx, self.runner.executor_state)
        self.notifications = NotificationService(ctx)
        self.schedules.data_update = self.market.scheduled_update
        self.builder = BotBuilder(ctx)
        self.audit = AuditLog(ctx)
        self.accounts = Accounts(ctx)
        self.sessions = SessionService(ctx, self.accounts, self.audit)
        self.teams = TeamService(ctx, self.accounts)
        self.integrations = IntegrationService(ctx)
        self.confirmations = ConfirmationService(ctx)  # a person's yes to an MCP trade

    @classmethod
    def open(
        cls, settings: Settings, started_workers: list[WarmWorker] | None = None
    ) -> Services:
        """`started_workers`: local pool workers launched before (the CLI's early start)."""
        return cls(AppContext.open(settings), started_workers)

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    @property
    def user_id(self) -> int:
        """Who this process acts as: the CLI's signed-in user (`act_as`), else the local
        default user. (HTTP requests carry their own user; see `api.deps`.)"""
        return self.acting_user_id or self.ctx.default_user_id

    acting_user_id: int | None = None

    def act_as(self, user_id: int, team: Iterable[int] = ()) -> None:
        """Act as `user_id` for the rest of this process: its sessions see only that user's
        rows (`core.scope`), and the results of `team` (a reading command's team-mates)."""
        self.acting_user_id = user_id
        enter_owner(user_id, team)

    def start_background(self, start_supervisor: bool = False) -> None:
        """The server's start-up: end what a stopped process left running, resume unfinished
        batches, start the cron scheduler; make the first admin from the environment; with
        `start_supervisor` (`serve`, `STRATFORGE_SUPERVISOR_AT_START`), start the bot
        supervisor in the background."""
        self.accounts.ensure_first_admin()
        self.recorder.recover_interrupted()
        self.batches.resume_batches()
        self.schedules.start_scheduler()
        self.notifications.start_dispatcher()
        if start_supervisor:
            self.deployments.start_supervisor_in_background()

    def close(self) -> None:
        self.notifications.stop_dispatcher()
        self.schedules.stop_scheduler()
        self.backtests.close()
        self.runner.close()
        self.decisions.close()
