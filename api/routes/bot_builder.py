"""Bot-builder routes: clarify a vague text, the indicators and the worked templates."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AppDep, UserDep
from api.services.views import ClarificationView, ClarifyIn, IndicatorView, TemplateView

router = APIRouter(prefix="/bot-builder", tags=["bot builder"])


@router.post("/clarify", response_model=ClarificationView)
def clarify(body: ClarifyIn, app: AppDep, user: UserDep) -> ClarificationView:
    """The spec when the text is understood as it is; otherwise the questions that decide a
    vague text ("sell when it drops") with completions to send back, or the refusal."""
    return app.builder.clarify(body.text)


@router.get("/indicators", response_model=list[IndicatorView])
def indicators(app: AppDep, user: UserDep) -> list[IndicatorView]:
    """Every indicator: what it is, its parameters and defaults, and how to say it."""
    return app.builder.indicators()


@router.get("/templates", response_model=list[TemplateView])
def templates(app: AppDep, user: UserDep) -> list[TemplateView]:
    """A dozen worked strategies, each with the sentence that produces it and its spec."""
    return app.builder.templates()
