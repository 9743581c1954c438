"""Strategies: text → a generated, validated first version; listing and reading them; recording
every new version (generated, edited, restored, cloned) in the code store and the database.

Creation asks the generator for a spec and code (`generator.pipeline`), refuses symbols the
market-data store lacks, records the attempt as a Generation, and runs the validation gate.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Text, and_, bindparam, cast, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.services.context import AppContext
from api.services.generations import GenerationLedger
from api.services.integrations import user_llm_settings
from api.services.rows import strategy_row, version_row
from api.services.validation import ValidationService
from api.services.views import (
    STRATEGY_LIST_COLUMNS,
    STRATEGY_LIST_JSON_COLUMNS,
    JsonPage,
    Page,
    StrategyView,
    VersionView,
    fetch_limit,
    known_total,
    strategy_list_json,
    strategy_list_views,
    strategy_view,
    version_view,
)
from core.db import fetch_all
from core.errors import (
    Conflict,
    InvalidInput,
    StratforgeError,
    UnknownSymbolError,
    ValidationFailed,
)
from core.logging import get_logger
from core.models import Strategy, StrategyVersion, ValidationStatus, VersionOrigin
from core.scope import readable_owners
from generator.pipeline import Generated, generate, get_provider
from generator.providers.base import Provider
from generator.render import slug_for
from generator.spec import StrategySpec
from generator.validate import check_source

log = get_logger(__name__)

SLUG_ATTEMPTS = 20
StrategySort = Literal["id", "-id", "name", "-name"]


# built once: making a statement costs more than running it on a short list. Columns, not
# row objects: a page of 100 strategies is 200 ORM objects otherwise, most of the list's cost
# (the scope's owner criteria apply to column selects as to entities, `core.scope`)
_STRATEGIES_WITH_LATEST = (
    select(*STRATEGY_LIST_COLUMNS)  # type: ignore[call-overload]  # sqlmodel: up to 4 columns
    .outerjoin(StrategyVersion, and_(
        col(StrategyVersion.strategy_id) == col(Strategy.id),
        col(StrategyVersion.number) == col(Strategy.latest_version),
    ))
    .where(col(Strategy.owner_id).in_(bindparam("owners", expanding=True)),
           col(Strategy.deleted_at).is_(None))
)
# the same, with the JSON columns as their stored text (what `GET /strategies` serialises)
_STRATEGIES_WITH_LATEST_JSON = _STRATEGIES_WITH_LATEST.with_only_columns(
    *STRATEGY_LIST_JSON_COLUMNS)


class StrategyService:
    def __init__(
        self, ctx: AppContext, ledger: GenerationLedger, validation: ValidationService
    ) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.validation = validation
        self._versions_lock = threading.Lock()

    def provider(self, selector: str | None = None, user_id: int | None = None) -> Provider:
        """The provider `selector` names (provider[:model]); the default without one. With a
        user, that user's LLM keys (integrations) stand in for the server's."""
        settings = self.ctx.settings if user_id is None else user_llm_settings(self.ctx, user_id)
        return get_provider(selector or settings.default_llm_provider, settings)

    def generate(self, text: str, provider: Provider) -> Generated:
        """Spec, summary and code of `text` from `provider`, under this server's limits and
        with the stored symbols as the prompt's context (nothing is saved)."""
        return generate(
            text,
            provider=provider,
            limits=self.ctx.limits,
            known_symbols=self.ctx.known_symbols(),
            context=self.ledger.prompt_context(),
        )

    def create_strategy(self, user_id: int, text: str, provider: str | None = None) -> StrategyView:
        """Generate, record and validate a strategy. Admission to the executor for its checks
        is taken first: a busy server refuses before anything is generated or recorded."""
        with self.validation.admitted():
            return self._create_strategy(user_id, text, provider)

    def _create_strategy(self, user_id: int, text: str, provider: str | None) -> StrategyView:
        chosen = self.provider(provider, user_id)
        self.ledger.check_budget(user_id, chosen)  # refuses past the daily budget
        try:
            generated = self.generate(text, chosen)
        except StratforgeError as exc:
            self.ledger.record(user_id, text, provider=chosen.name, model=chosen.model, error=exc)
            raise
        try:
            self.require_symbols(generated.spec)
        except StratforgeError as exc:
            self.ledger.record(
                user_id,
                text,
                provider=chosen.name,
                model=chosen.model,
                generated=generated,
                error=exc,
            )
            raise
        strategy = self.save_new(user_id, text, generated)
        self.ledger.record(
            user_id,
            text,
            provider=generated.provider,
            model=generated.model,
            strategy_id=strategy.id,
            generated=generated,
        )
        view = self.validation.validate_version(user_id, strategy.id or 0, 1)
        return view.model_copy(update={"ignored": list(generated.ignored)})

    def require_symbols(self, spec: StrategySpec) -> None:
        self.require_symbol_list(spec.all_symbols())

    def require_symbol_list(self, symbols: list[str]) -> None:
        """Refuses (`unknown_symbol`) symbols the market-data store lacks."""
        available = [c.symbol for c in self.ctx.market.symbols()]
        missing = [s for s in symbols if s not in available]
        if missing:
            err = UnknownSymbolError(missing, available)
            raise InvalidInput(
                err.message
                + (
                    " Import data with `stratforge data import DIR` or load the "
                    "sample market with `stratforge data sample`."
                    if not available
                    else ""
                ),
                code="unknown_symbol",
                symbols=missing,
                available=available,
            )

    def unique_slug(self, db: Session, name: str, skip: int = 0) -> str:
        """A slug for `name` that no strategy and no code folder has; `skip` passes over that
        many free candidates (a concurrent request may be inserting the first one)."""
        base = slug_for(name)
        for slug in itertools.chain([base], (f"{base}_{n}" for n in itertools.count(2))):
            taken = (
                db.exec(select(Strategy).where(Strategy.slug == slug)).first() is not None
                or self.ctx.code.folder(slug).exists()
            )
            if taken:
                continue
            if skip == 0:
                return slug
            skip -= 1
        raise AssertionError("unreachable: the candidates never end")

    def insert_strategy(self, db: Session, *, user_id: int, name: str, text: str) -> Strategy:
        """A new Strategy row under a slug of its own. The slug's unique index is the claim:
        when a concurrent request inserted the same slug first, the next free one is tried."""
        for attempt in range(SLUG_ATTEMPTS):
            strategy = Strategy(owner_id=user_id, name=name, text=text, latest_version=0,
                                slug=self.unique_slug(db, name, skip=attempt))
            db.add(strategy)
            try:
                db.flush()
                return strategy
            except IntegrityError:
                db.rollback()
                log.info("slug taken by a concurrent request; trying the next",
                         extra={"slug": strategy.slug})
        raise Conflict(f"could not find a free name for {name!r}; try again", code="slug_busy")

    def save_new(self, user_id: int, text: str, generated: Generated) -> Strategy:
        with self.ctx.session() as db:
            strategy = self.insert_strategy(db, user_id=user_id, name=generated.spec.name,
                                            text=text)
            self.record_version(
                db,
                strategy,
                source=generated.code,
                origin=VersionOrigin.generated.value,
                parent=None,
                spec=generated.spec.model_dump(mode="json"),
                summary=generated.summary,
                class_name=generated.class_name,
            )
            db.refresh(strategy)
            log.info("strategy created", extra={"strategy": strategy.id, "slug": strategy.slug})
            return strategy

    def record_version(
        self,
        db: Session,
        strategy: Strategy,
        *,
        source: str,
        origin: str,
        parent: int | None,
        spec: dict[str, Any] | None,
        summary: str,
        class_name: str,
    ) -> int:
        with self._versions_lock:  # one new version number at a time in this process
            db.refresh(strategy)
            number = strategy.latest_version + 1
            path, digest = self.ctx.code.write_version(
                slug=strategy.slug,
                strategy_id=strategy.id or 0,
                number=number,
                source=source,
                class_name=class_name,
                origin=origin,
                parent=parent,
                # spec.json describes the newest generated version; edits keep their parent's spec
                spec=spec if origin == VersionOrigin.generated.value else None,
            )
            db.add(
                StrategyVersion(
                    strategy_id=strategy.id or 0,
                    owner_id=strategy.owner_id,
                    number=number,
                    parent_number=parent,
                    origin=origin,
                    code_path=self.ctx.code.relative(path),
                    sha256=digest,
                    class_name=class_name,
                    spec=spec,
                    summary=summary,
                )
            )
            strategy.latest_version = number
            strategy.updated_at = datetime.now(UTC)
            db.add(strategy)
            try:
                db.commit()
            except IntegrityError as exc:  # another process recorded this number first
                db.rollback()
                raise Conflict(
                    f"strategy {strategy.id} got another version at the same time; try again",
                    code="version_conflict",
                ) from exc
        return number

    def list_strategies(self, user_id: int) -> list[StrategyView]:
        """Every strategy of the user (the CLI's and the dashboard's list)."""
        return self.strategies_page(user_id).items

    def strategies_page(
        self,
        user_id: int,
        *,
        limit: int | None = None,
        offset: int = 0,
        query: str | None = None,
        validation: ValidationStatus | None = None,
        symbol: str | None = None,
        origin: VersionOrigin | None = None,
        sort: StrategySort = "id",
        agents_only: bool = False,
    ) -> Page[StrategyView]:
        """A page of the user's strategies (and, while the scope carries the team, its
        team-mates'), oldest first, each with its latest version (one query for the rows, one
        for the total when the page does not tell it). `query` matches the name, slug or text
        (case-insensitive); `validation` the latest version's status; `symbol` a symbol the
        latest version's spec trades; `origin` how that version was made; `agents_only` the
        LLM agents (issue 12). `sort`: `id` (oldest first), `-id` (newest first), `name` or
        `-name`."""
        rows, total = self._page_rows(user_id, limit=limit, offset=offset, query=query,
                                      validation=validation, symbol=symbol, origin=origin,
                                      sort=sort, agents_only=agents_only)
        return Page(items=strategy_list_views(rows), total=total, limit=limit, offset=offset)

    def strategies_page_json(
        self,
        user_id: int,
        *,
        limit: int | None = None,
        offset: int = 0,
        query: str | None = None,
        validation: ValidationStatus | None = None,
    ) -> JsonPage:
        """`strategies_page` as the JSON the API answers, serialised straight from the rows
        (what `GET /strategies` serves: building and validating 100 views per request was
        most of its cost; `tests/api/test_strategy_list.py` holds the two equal)."""
        rows, total = self._page_rows(user_id, limit=limit, offset=offset, query=query,
                                      validation=validation, stored_json=True)
        return JsonPage(body=strategy_list_json(rows), total=total, limit=limit, offset=offset)

    def _page_rows(
        self,
        user_id: int,
        *,
        limit: int | None = None,
        offset: int = 0,
        query: str | None = None,
        validation: ValidationStatus | None = None,
        symbol: str | None = None,
        origin: VersionOrigin | None = None,
        sort: StrategySort = "id",
        agents_only: bool = False,
        stored_json: bool = False,
    ) -> tuple[Sequence[Any], int]:
        """The rows (`STRATEGY_LIST_COLUMNS`; `STRATEGY_LIST_JSON_COLUMNS` with
        `stored_json`) of one page, and how many match in all."""
        base = _STRATEGIES_WITH_LATEST_JSON if stored_json else _STRATEGIES_WITH_LATEST
        chosen = base.params(owners=readable_owners(user_id))
        if query:
            pattern = "%" + re.sub(r"([\\%_])", r"\\\1", query) + "%"
            chosen = chosen.where(or_(
                col(Strategy.name).ilike(pattern, escape="\\"),
                col(Strategy.slug).ilike(pattern, escape="\\"),
                col(Strategy.text).ilike(pattern, escape="\\"),
            ))
        if validation is not None:
            chosen = chosen.where(col(StrategyVersion.validation_status) == validation.value)
        if symbol:
            if not re.fullmatch(r"[A-Za-z.]{1,10}", symbol):
                raise InvalidInput(f"{symbol!r} is not a symbol", code="bad_symbol")
            chosen = chosen.where(
                cast(col(StrategyVersion.spec), Text).like(f'%"{symbol.upper()}"%'))
        if origin is not None:
            chosen = chosen.where(col(StrategyVersion.origin) == origin.value)
        if agents_only:  # an agent's spec says `"kind": "agent"`; a rule-based one has no kind
            chosen = chosen.where(
                cast(col(StrategyVersion.spec), Text).like('%"kind": "agent"%'))
        column = col(Strategy.name) if sort.lstrip("-") == "name" else col(Strategy.id)
        order = [column.desc() if sort.startswith("-") else column.asc(), col(Strategy.id)]
        with self.ctx.session() as db:
            fetched = fetch_all(db, chosen.order_by(*order).offset(offset)
                                .limit(fetch_limit(limit)))
            rows, total = fetched[:limit], known_total(len(fetched), limit, offset)
            if total is None:
                total = db.exec(select(func.count()).select_from(chosen.subquery())).one()
            return rows, int(total)

    def status_counts(self, user_id: int) -> dict[str, int]:
        """How many of the user's strategies have their latest version in each validation
        status (one grouped query)."""
        latest = and_(
            col(StrategyVersion.strategy_id) == col(Strategy.id),
            col(StrategyVersion.number) == col(Strategy.latest_version),
        )
        with self.ctx.session() as db:
            rows = db.exec(
                select(StrategyVersion.validation_status, func.count())
                .select_from(Strategy).join(StrategyVersion, latest)
                .where(Strategy.owner_id == user_id, col(Strategy.deleted_at).is_(None))
                .group_by(col(StrategyVersion.validation_status))
            ).all()
        return {str(status): int(n) for status, n in rows}

    def names(self, user_id: int, strategy_ids: Iterable[int]) -> dict[int, str]:
        """The names of those of the user's strategies, in one query; a deleted or unknown id
        is missing from the answer."""
        wanted = list(strategy_ids)
        if not wanted:
            return {}
        with self.ctx.session() as db:
            rows = db.exec(
                select(Strategy.id, Strategy.name)
                .where(col(Strategy.owner_id).in_(readable_owners(user_id)),
                       col(Strategy.id).in_(wanted), col(Strategy.deleted_at).is_(None))
            ).all()
        return {int(i or 0): str(n) for i, n in rows}

    def newest_names(self, user_id: int, limit: int) -> dict[int, str]:
        """Id → name of the user's (and readable team-mates') newest `limit` strategies, newest
        first: a form's choice list, without the versions a page of views carries."""
        with self.ctx.session() as db:
            rows = db.exec(
                select(Strategy.id, Strategy.name)
                .where(col(Strategy.owner_id).in_(readable_owners(user_id)),
                       col(Strategy.deleted_at).is_(None))
                .order_by(col(Strategy.id).desc()).limit(limit)
            ).all()
        return {int(i or 0): str(n) for i, n in rows}

    def get_strategy(self, user_id: int, strategy_id: int) -> StrategyView:
        with self.ctx.session() as db:
            row = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            return strategy_view(row, version_row(db, strategy=row, number=None))

    def get_version(self, user_id: int, strategy_id: int, number: int) -> VersionView:
        with self.ctx.session() as db:
            row = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            return version_view(version_row(db, strategy=row, number=number))

    def version_code(self, user_id: int, strategy_id: int, number: int) -> str:
        version = self.get_version(user_id, strategy_id, number)
        return self.ctx.code.absolute(version.code_path).read_text(encoding="utf-8")

    def code_file(self, version: VersionView) -> Path:
        return self.ctx.code.absolute(version.code_path)

    def add_code_version(self, user_id: int, strategy_id: int, source: str) -> StrategyView:
        """Record uploaded (hand-edited) code as the newest version, after the static gate.

        The spec of the parent version is kept beside it: it says which symbols' bars the
        code is given. The version then passes the dynamic gate like a generated one (admitted
        first: a busy server refuses before the version is recorded)."""
        with self.validation.admitted():
            return self._add_code_version(user_id, strategy_id, source)

    def _add_code_version(self, user_id: int, strategy_id: int, source: str) -> StrategyView:
        report = check_source(source)
        if not report.ok:
            raise ValidationFailed(
                "the code failed validation: " + "; ".join(str(p) for p in report.problems),
                problems=report.as_dict()["problems"],
            )
        with self.ctx.session() as db:
            strategy = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            parent = version_row(db, strategy=strategy, number=None)
            number = self.record_version(
                db,
                strategy,
                source=source,
                origin=VersionOrigin.edited.value,
                parent=parent.number,
                spec=parent.spec,
                summary=parent.summary,
                class_name=report.class_name or parent.class_name,
            )
        return self.validation.validate_version(user_id, strategy_id, number)
