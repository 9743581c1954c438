"""The bot builder's reference and questions: clarifying a vague text, listing the indicators
and the worked templates.

This service owns what `/bot-builder/*` and `stratforge templates|indicators` show. Clarifying
runs the offline reader only (no model is called, nothing is stored): it answers with the spec
when the text is understood as it is, with questions and completions when it is vague in a way
`generator.clarify` recognises, or with the refusal otherwise. The reader is imported on first
use, as `OfflineProvider` imports it: compiling its patterns costs most of a second, which every
CLI command and server start would otherwise pay.
"""

from __future__ import annotations

from functools import cached_property

from api.services.context import AppContext
from api.services.views import ClarificationView, IndicatorView, TemplateView
from generator.catalog import INDICATORS, TEMPLATES
from generator.clarify import clarification_for
from generator.describe import describe


class BotBuilder:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def clarify(self, text: str) -> ClarificationView:
        from generator.providers.offline import ParseError
        from generator.providers.offline.parser import parse_text

        known = self.ctx.known_symbols()
        try:
            parsed = parse_text(text, known_symbols=known)
        except ParseError as exc:
            question = clarification_for(text, exc, known_symbols=known)
            if question is None:
                return ClarificationView(
                    needs_clarification=False,
                    understood=exc.understood,
                    not_understood=exc.not_understood,
                    refused=exc.reason,
                )
            return ClarificationView(
                needs_clarification=True,
                not_understood=exc.not_understood,
                **question.as_dict(),  # type: ignore[arg-type]
            )
        return ClarificationView(
            needs_clarification=False,
            understood=parsed.understood,
            spec=parsed.spec.model_dump(mode="json"),
            summary=describe(parsed.spec),
            ignored=parsed.ignored,
        )

    def indicators(self) -> list[IndicatorView]:
        return [IndicatorView(**{**i.as_dict(), "timeframes": list(i.timeframes)})
                for i in INDICATORS]

    @cached_property
    def _templates(self) -> list[TemplateView]:
        from generator.providers.offline import parse

        out: list[TemplateView] = []
        for item in TEMPLATES:
            spec = parse(item.sentence)  # a test keeps every template sentence parseable
            out.append(TemplateView(**item.as_dict(), spec=spec.model_dump(mode="json"),
                                    summary=describe(spec)))
        return out

    def templates(self) -> list[TemplateView]:
        return list(self._templates)
