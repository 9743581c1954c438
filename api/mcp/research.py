"""MCP tools for research: strategies from words or an exported file, what can be said
(templates, indicators), backtests and their results, comparisons, batch sweeps and market
data.

Each tool is a translator: typed inputs, one call of the same service the matching API route
calls (named by its `Route`, which also decides the role rule and the audit event), the
service's answer as the result. No tool holds logic of its own.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Annotated, Any

from mcp.server.fastmcp import Context, FastMCP
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import Field

from api.mcp.calls import Route, ToolCalls
from api.services.sessions import Principal
from api.services.views import (
    DEFAULT_PAGE,
    BacktestConfig,
    BatchSpec,
    CreatedStrategy,
    DbId,
    MarketFetchBody,
    PageLimit,
    PageOffset,
)
from core.models import RunStatus

READS = ToolAnnotations(readOnlyHint=True, openWorldHint=False)
WRITES = ToolAnnotations(readOnlyHint=False, destructiveHint=False, openWorldHint=False)
POLL_S = 0.5  # how often backtest_results looks at a run it waits for
UNFINISHED = (RunStatus.queued.value, RunStatus.running.value)

StrategyId = Annotated[DbId, Field(description="A strategy id (from list_strategies)")]
RunId = Annotated[DbId, Field(description="A backtest run id (from backtest)")]
Provider = Annotated[str | None, Field(
    default=None, max_length=120,
    description="provider[:model], e.g. openai:gpt-4.1-mini; default: the server's setting")]


def register(server: FastMCP, calls: ToolCalls) -> None:
    services = calls.services

    @server.tool(annotations=READS)
    async def list_strategies(
        ctx: Context[Any, Any, Any],
        query: Annotated[str | None, Field(
            default=None, min_length=1, max_length=200,
            description="Only strategies with this in their name, slug or text")] = None,
        limit: PageLimit = DEFAULT_PAGE,
        offset: PageOffset = 0,
    ) -> CallToolResult:
        """The user's strategies, oldest first, a page at a time: id, name, the plain-English
        text, the latest version's summary and validation status."""
        return await calls.run(ctx, Route("GET", "/strategies"), lambda p: (
            services.strategies.strategies_page(p.user_id, limit=limit, offset=offset,
                                                query=query)))

    @server.tool(annotations=WRITES)
    async def create_strategy(
        ctx: Context[Any, Any, Any],
        text: Annotated[str, Field(min_length=1, max_length=4000, description=(
            "The strategy in plain English, e.g. 'Buy SPY when the 50-day SMA crosses above "
            "the 200-day SMA and sell when it crosses back below'"))],
        provider: Provider = None,
    ) -> CallToolResult:
        """Turn a plain-English strategy into a validated StrategySpec and Lumibot code, stored
        as a new strategy (version 1). Returns its id, summary, validation result, the words it
        ignored and the code. A text it cannot understand is refused with what it understood
        and questions to answer."""

        def work(p: Principal) -> CreatedStrategy:
            view = services.strategies.create_strategy(p.user_id, text, provider)
            code = services.strategies.version_code(p.user_id, view.id, view.latest_version)
            return CreatedStrategy(**view.model_dump(), code=code)

        return await calls.run(ctx, Route("POST", "/strategies"), work)

    @server.tool(annotations=WRITES)
    async def import_strategy(
        ctx: Context[Any, Any, Any],
        content: Annotated[str, Field(min_length=1, max_length=200_000, description=(
            "The file's text: what `stratforge export` wrote, a version's code, or JSON "
            "holding a StrategySpec"))],
        name: Annotated[str | None, Field(default=None, max_length=120, description=(
            "The new strategy's name instead of the file's"))] = None,
    ) -> CallToolResult:
        """Import a strategy file as a NEW strategy (version 1), validated like a created one.
        Returns its id, validation result and code."""

        def work(p: Principal) -> CreatedStrategy:
            view = services.imports.import_file(p.user_id, content, name=name)
            code = services.strategies.version_code(p.user_id, view.id, view.latest_version)
            return CreatedStrategy(**view.model_dump(), code=code)

        return await calls.run(ctx, Route("POST", "/strategies/import"), work)

    @server.tool(annotations=READS)
    async def explain_strategy(
        ctx: Context[Any, Any, Any], strategy_id: StrategyId, provider: Provider = None
    ) -> CallToolResult:
        """The strategy's plain-English summary, plus a language model's explanation of its
        risks and assumptions when one is configured (or named with `provider`)."""
        return await calls.run(
            ctx, Route("GET", "/strategies/{strategy_id}/explanation"),
            lambda p: services.models.explain_strategy(p.user_id, strategy_id, provider))

    @server.tool(annotations=READS)
    async def list_templates(ctx: Context[Any, Any, Any]) -> CallToolResult:
        """A dozen worked strategies, each with the sentence that produces it and its spec: good
        starting points for create_strategy."""
        return await calls.run(ctx, Route("GET", "/bot-builder/templates"),
                               lambda p: services.builder.templates())

    @server.tool(annotations=READS)
    async def list_indicators(ctx: Context[Any, Any, Any]) -> CallToolResult:
        """Every indicator a strategy can use: what it is, its parameters and defaults, and how
        to say it in a sentence."""
        return await calls.run(ctx, Route("GET", "/bot-builder/indicators"),
                               lambda p: services.builder.indicators())

    @server.tool(annotations=WRITES)
    async def backtest(ctx: Context[Any, Any, Any], config: BacktestConfig) -> CallToolResult:
        """Queue a backtest of a strategy (its latest version unless `version` is given) on the
        stored daily bars between `start` and `end` (YYYY-MM-DD), on Lumibot. Returns the run at
        once (status queued) with its id: read it with backtest_results."""
        return await calls.run(ctx, Route("POST", "/backtests"),
                               lambda p: services.backtests.queue_backtest(p.user_id, config))

    @server.tool(annotations=READS)
    async def backtest_results(
        ctx: Context[Any, Any, Any],
        run_id: RunId,
        wait_s: Annotated[float, Field(ge=0, le=600, description=(
            "Wait up to this many seconds for the run to finish before answering (0: answer "
            "now; keep it within your client's request timeout, often 60 s)"))] = 0,
    ) -> CallToolResult:
        """A backtest run: status, progress, metrics (total return, CAGR, Sharpe, max drawdown,
        trades…), benchmark and, once it has succeeded, its fills and round trips."""

        def work(p: Principal) -> dict[str, Any]:
            deadline = time.monotonic() + wait_s
            while (services.backtests.get_backtest(p.user_id, run_id).status in UNFINISHED
                   and time.monotonic() < deadline):
                time.sleep(POLL_S)
            return services.backtests.backtest_result(p.user_id, run_id)

        return await calls.run(ctx, Route("GET", "/backtests/{run_id}"), work)

    @server.tool(annotations=READS)
    async def compare_runs(
        ctx: Context[Any, Any, Any],
        run_ids: Annotated[list[DbId], Field(min_length=1, max_length=100,
                                             description="The backtest run ids to compare")],
    ) -> CallToolResult:
        """Several backtest runs side by side: their metrics and which is best on each."""
        return await calls.run(ctx, Route("GET", "/backtests/compare"),
                               lambda p: services.results.compare_backtests(p.user_id, run_ids))

    @server.tool(annotations=WRITES)
    async def batch_sweep(ctx: Context[Any, Any, Any], spec: BatchSpec) -> CallToolResult:
        """Start a batch of backtests: strategies × date ranges × symbol sets, a parameter sweep
        (grid or random, kind=sweep) or a walk-forward test. Returns the batch (its id and
        counts) at once; read its leaderboard with batch_results."""

        def work(p: Principal) -> Any:
            batch = services.planner.create_batch(p.user_id, spec)
            services.batches.submit_batch(batch.id)
            return batch

        return await calls.run(ctx, Route("POST", "/batches"), work)

    @server.tool(annotations=READS)
    async def batch_results(
        ctx: Context[Any, Any, Any],
        batch_id: Annotated[DbId, Field(description="A batch id (from batch_sweep)")],
        metric: Annotated[str | None, Field(
            default=None, max_length=40,
            description="Rank by this metric (default the batch's own, e.g. sharpe)")] = None,
        top: Annotated[int, Field(ge=1, le=100, description="How many best runs")] = 5,
    ) -> CallToolResult:
        """A batch's progress and leaderboard: every run with its parameters and metric, the
        best first."""
        return await calls.run(ctx, Route("GET", "/batches/{batch_id}/results"),
                               lambda p: services.results.batch_results(p.user_id, batch_id,
                                                                        metric, top))

    @server.tool(annotations=READS)
    async def list_market_data(
        ctx: Context[Any, Any, Any],
        query: Annotated[str | None, Field(default=None, max_length=20,
                                           description="Only symbols containing this")] = None,
    ) -> CallToolResult:
        """The symbols the market-data store holds, with their first and last dates."""
        return await calls.run(ctx, Route("GET", "/market-data/symbols"),
                               lambda p: services.market.symbols(query))

    @server.tool(annotations=ToolAnnotations(readOnlyHint=False, openWorldHint=True))
    async def fetch_data(
        ctx: Context[Any, Any, Any],
        symbols: Annotated[list[Annotated[str, Field(min_length=1, max_length=20)]], Field(
            default_factory=list, max_length=100, description="Symbols to fetch")],
        start: date | None = None,
        end: date | None = None,
        update: Annotated[bool, Field(description=(
            "Bring these symbols (or every stored one when none are named) up to the last "
            "close instead"))] = False,
        sources: Annotated[list[str] | None, Field(
            default=None, max_length=5, description="Providers to try, in order")] = None,
    ) -> CallToolResult:
        """Fetch daily bars from the data providers into the store, in the background. Returns
        the job; follow it with fetch_status."""
        body = MarketFetchBody(symbols=symbols, sources=sources, start=start, end=end,
                               update=update)
        return await calls.run(ctx, Route("POST", "/market-data/fetch"),
                               lambda p: services.market.start_fetch(p.user_id, body))

    @server.tool(annotations=READS)
    async def fetch_status(
        ctx: Context[Any, Any, Any],
        job_id: Annotated[str, Field(min_length=1, max_length=64,
                                     description="The job id fetch_data returned")],
    ) -> CallToolResult:
        """A data fetch job: its progress, and its report once it has ended."""
        return await calls.run(ctx, Route("GET", "/market-data/fetch/{job_id}"),
                               lambda p: services.market.fetch_job(p.user_id, job_id))

