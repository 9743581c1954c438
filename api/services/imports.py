"""Importing a strategy file as a NEW strategy: what `stratforge export` wrote (a standalone
file, read back by `export.strategy_source`), a version's code as stratforge stores it, or JSON
holding a StrategySpec (`spec.json`, `{"spec": ...}`, or a strategy as `GET /strategies/{id}`
or `stratforge strategies show --json` print it). Every face (API, CLI, dashboard, MCP) calls
`StrategyImporter.import_file`.

A spec is rendered by the generator like a created strategy (the server's limits, the static
gate; no provider is asked and no generation budget is spent): version 1 is `generated`. Code
must pass the static gate and name the bars it reads (`data_symbols` in its `parameters`);
version 1 is `imported`. Either way the symbols must be in the market-data store, and the
version then passes the dynamic gate (admitted first, as a created strategy's does).
"""

from __future__ import annotations

import ast
import json
from pathlib import PurePath
from typing import Any

from pydantic import ValidationError

from api.services.code_facts import declared_parameters
from api.services.context import AppContext
from api.services.export import strategy_source
from api.services.strategies import StrategyService
from api.services.validation import ValidationService
from api.services.views import StrategyView
from core import python_ast
from core.errors import InvalidInput, ValidationFailed
from core.logging import get_logger
from core.models import VersionOrigin
from generator.agent_spec import is_agent_spec
from generator.pipeline import from_spec
from generator.spec import StrategySpec
from generator.validate import check_source

log = get_logger(__name__)

MAX_FILE_CHARS = 200_000  # as much code as an edit may upload (`UploadCode`)
NAME_CHARS = 120  # `Strategy.name`


class StrategyImporter:
    def __init__(
        self, ctx: AppContext, strategies: StrategyService, validation: ValidationService
    ) -> None:
        self.ctx = ctx
        self.strategies = strategies
        self.validation = validation

    def import_file(
        self, user_id: int, content: str, *, filename: str | None = None, name: str | None = None
    ) -> StrategyView:
        """A new strategy from an exported file's text; `name` replaces the file's own."""
        if not content.strip():
            raise InvalidInput("the file is empty", code="empty_file")
        if len(content) > MAX_FILE_CHARS:
            raise InvalidInput(f"the file is longer than {MAX_FILE_CHARS} characters",
                               code="file_too_large")
        name = (name or "").strip()[:NAME_CHARS] or None
        with self.validation.admitted():
            if content.lstrip().startswith(("{", "[")):  # JSON; Python never starts so
                return self._from_json(user_id, content, name)
            return self._from_code(user_id, content, filename, name)

    def _from_json(self, user_id: int, content: str, name: str | None) -> StrategyView:
        try:
            document = json.loads(content)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"the file is not JSON: {exc}", code="bad_file") from exc
        data, text = _spec_of(document)
        if is_agent_spec(data):
            raise InvalidInput("this is an LLM agent's spec; agents are made with "
                               "`stratforge agents new` (POST /agents)", code="not_importable")
        if name:
            data = {**data, "name": name}
        try:
            spec = StrategySpec.model_validate(data)
        except ValidationError as exc:
            problems = [{"where": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                        for e in exc.errors()]
            raise InvalidInput(
                "the file's spec is not a valid StrategySpec: "
                + "; ".join(f"{p['where']}: {p['message']}" for p in problems[:5]),
                code="bad_spec", problems=problems) from exc
        generated = from_spec(spec, limits=self.ctx.limits)
        self.strategies.require_symbols(spec)
        strategy = self.strategies.save_new(user_id, text or generated.summary, generated)
        log.info("strategy imported from a spec", extra={"strategy": strategy.id})
        return self.validation.validate_version(user_id, strategy.id or 0, 1)

    def _from_code(self, user_id: int, content: str, filename: str | None,
                   name: str | None) -> StrategyView:
        source = strategy_source(content) or content
        report = check_source(source)
        if not report.ok:
            raise ValidationFailed(
                "the code failed validation: " + "; ".join(str(p) for p in report.problems),
                problems=report.as_dict()["problems"],
            )
        symbols = declared_parameters(source).get("data_symbols")
        if not isinstance(symbols, list) or not symbols or not all(
                isinstance(s, str) for s in symbols):
            raise InvalidInput(
                "the code does not say which bars it reads: its class needs `data_symbols` "
                "(a list of symbols) in its `parameters`, as stratforge's code has",
                code="no_symbols")
        self.strategies.require_symbol_list(symbols)
        docstring = (ast.get_docstring(python_ast.parse(source)) or "").strip()
        stem = PurePath(filename).stem if filename else ""
        title = name or docstring.split("\n", 1)[0].strip() or stem or report.class_name
        with self.ctx.session() as db:
            strategy = self.strategies.insert_strategy(
                db, user_id=user_id, name=(title or "imported strategy")[:NAME_CHARS],
                text=docstring or f"imported from {filename or 'a file'}")
            self.strategies.record_version(
                db, strategy, source=source, origin=VersionOrigin.imported.value, parent=None,
                spec=None, summary=docstring, class_name=report.class_name or "")
            strategy_id = strategy.id or 0
        log.info("strategy imported from code", extra={"strategy": strategy_id})
        return self.validation.validate_version(user_id, strategy_id, 1)


def _spec_of(document: Any) -> tuple[dict[str, Any], str]:
    """The spec a JSON document holds, and the strategy's text when it says it: a strategy
    view (`version.spec`), `{"spec": ...}`, or the spec itself."""
    if not isinstance(document, dict):
        raise InvalidInput("the JSON file must hold an object (a spec or a strategy)",
                           code="bad_file")
    text = str(document["text"]) if isinstance(document.get("text"), str) else ""
    version = document.get("version")
    if isinstance(version, dict) and isinstance(version.get("spec"), dict):
        return dict(version["spec"]), text
    if isinstance(document.get("spec"), dict):
        return dict(document["spec"]), text
    if document.get("spec", "absent") is None or (
            isinstance(version, dict) and "spec" in version):
        raise InvalidInput("this strategy has no spec (its code was written or imported by "
                           "hand); export its code instead", code="no_spec")
    return document, ""
