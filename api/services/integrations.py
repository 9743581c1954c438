"""A user's own keys for outside services: Alpaca paper/live and LLMs (OpenAI, Anthropic, an
OpenAI-compatible server).

Secrets are sealed with `core.credentials.CredentialBox` (MultiFernet) and never leave this
module in clear except to the SDK that uses them: views carry only a masked hint.
`user_llm_settings(ctx, user_id)` is the server's `Settings` with that user's LLM keys in place
of the server's, so a user's generations run on the user's keys (and budgets, which are per
user already); a user's bots read their Alpaca keys in `runtime.alpaca_clients.user_keys`.
`test_integration` calls the real endpoint (the local venue and LLM stand-ins in tests).
`rotate_keys` reseals every stored secret under a new key.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr
from sqlalchemy import update
from sqlmodel import col, select

from api.services.context import AppContext
from api.services.views import (
    IntegrationIn,
    IntegrationTest,
    IntegrationUpdate,
    IntegrationView,
)
from core.config import Settings
from core.credentials import CredentialBox, add_key, keep_newest_key
from core.errors import InvalidInput, NotFound
from core.logging import get_logger
from core.models import BrokerCredential, Integration, as_utc, utcnow
from core.scope import owner_scope

log = get_logger(__name__)

ALPACA_KINDS = ("alpaca_paper", "alpaca_live")
LLM_KINDS = ("openai", "anthropic", "openai_compatible")


def mask(secret: str) -> str:
    return "…" + secret[-4:] if len(secret) >= 12 else "…"


def integration_view(row: Integration) -> IntegrationView:
    return IntegrationView(
        id=row.id or 0, kind=row.kind, name=row.name, base_url=row.base_url, model=row.model,
        masked=row.masked, last_tested_at=as_utc(row.last_tested_at),
        last_test_ok=row.last_test_ok, created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def user_llm_settings(ctx: AppContext, user_id: int) -> Settings:
    """The server's settings with this user's newest LLM key of each kind in their place."""
    with owner_scope(user_id), ctx.session() as db:
        rows = db.exec(
            select(Integration).where(Integration.owner_id == user_id,
                                      col(Integration.kind).in_(LLM_KINDS))
            .order_by(col(Integration.id))
        ).all()
    if not rows:
        return ctx.settings
    box = CredentialBox(ctx.settings)
    update: dict[str, Any] = {}
    for row in rows:  # later rows win
        secret = SecretStr(box.open(row.secret_enc))
        if row.kind == "openai":
            update["openai_api_key"] = secret
            update["openai_base_url"] = row.base_url
        elif row.kind == "anthropic":
            update["anthropic_api_key"] = secret
            update["anthropic_base_url"] = row.base_url
        else:
            update["openai_api_key"] = secret
            update["llm_base_url"] = row.base_url
        if row.model:
            update["llm_model"] = row.model
    return ctx.settings.model_copy(update=update)


class IntegrationService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def list_integrations(self, user_id: int) -> list[IntegrationView]:
        with owner_scope(user_id), self.ctx.session() as db:
            rows = db.exec(select(Integration).where(Integration.owner_id == user_id)
                           .order_by(col(Integration.id))).all()
            return [integration_view(r) for r in rows]

    def _row(self, db: Any, user_id: int, integration_id: int) -> Integration:
        row = db.get(Integration, integration_id)
        if row is None or row.owner_id != user_id:
            raise NotFound(f"no integration {integration_id}", code="integration_not_found")
        return row

    def create(self, user_id: int, body: IntegrationIn) -> IntegrationView:
        _check(body.kind, body.key_id, body.base_url)
        box = CredentialBox(self.ctx.settings)
        with owner_scope(user_id), self.ctx.session() as db:
            row = Integration(
                owner_id=user_id, kind=body.kind, name=body.name or body.kind,
                base_url=body.base_url, model=body.model,
                key_id_enc=box.seal(body.key_id) if body.key_id else None,
                secret_enc=box.seal(body.secret), masked=mask(body.secret),
            )
            db.add(row)
            db.commit()
            db.refresh(row)
            log.info("integration stored", extra={"user": user_id, "integration": row.id,
                                                  "kind": row.kind})
            return integration_view(row)

    def update(self, user_id: int, integration_id: int,
               body: IntegrationUpdate) -> IntegrationView:
        box = CredentialBox(self.ctx.settings)
        with owner_scope(user_id), self.ctx.session() as db:
            row = self._row(db, user_id, integration_id)
            if body.name is not None:
                row.name = body.name
            if body.base_url is not None:
                row.base_url = body.base_url
            if body.model is not None:
                row.model = body.model
            if body.key_id is not None:
                row.key_id_enc = box.seal(body.key_id)
            if body.secret is not None:
                row.secret_enc, row.masked = box.seal(body.secret), mask(body.secret)
            _check(row.kind, "set" if row.key_id_enc else None, row.base_url)
            row.updated_at = utcnow()
            row.last_tested_at = row.last_test_ok = None
            db.add(row)
            db.commit()
            return integration_view(row)

    def delete(self, user_id: int, integration_id: int) -> None:
        with owner_scope(user_id), self.ctx.session() as db:
            db.delete(self._row(db, user_id, integration_id))
            db.commit()

    def test_integration(self, user_id: int, integration_id: int) -> IntegrationTest:
        """Ask the real endpoint whether the key works (account for Alpaca, model list for an
        LLM); the answer is stored as last_test_ok."""
        box = CredentialBox(self.ctx.settings)
        with owner_scope(user_id), self.ctx.session() as db:
            row = self._row(db, user_id, integration_id)
            kind, base_url = row.kind, row.base_url
            key_id = box.open(row.key_id_enc) if row.key_id_enc else ""
            secret = box.open(row.secret_enc)
        try:
            detail = _probe(self.ctx.settings, kind, base_url, key_id, secret)
            result = IntegrationTest(ok=True, detail=detail)
        except Exception as exc:  # whatever the SDK raised: report it, never the key
            text = str(exc).replace(secret, "…").replace(key_id or "\0", "…")
            result = IntegrationTest(ok=False, detail=f"{type(exc).__name__}: {text[:300]}")
        # one conditional UPDATE: a key removed (or its owner's) while it was being tested is
        # a 404 here, never an ORM stale-row error
        with owner_scope(user_id), self.ctx.session() as db:
            written = db.connection().execute(
                update(Integration)
                .where(col(Integration.id) == integration_id,
                       col(Integration.owner_id) == user_id)
                .values(last_tested_at=utcnow(), last_test_ok=result.ok))
            db.commit()
        if written.rowcount != 1:
            raise NotFound(f"no integration {integration_id} (removed while it was tested)",
                           code="integration_not_found")
        return result


def _check(kind: str, key_id: str | None, base_url: str | None) -> None:
    if kind in ALPACA_KINDS and not key_id:
        raise InvalidInput("an Alpaca integration needs key_id and secret", code="bad_keys")
    if kind == "openai_compatible" and not base_url:
        raise InvalidInput("an OpenAI-compatible integration needs base_url", code="bad_keys")


def _probe(settings: Settings, kind: str, base_url: str | None, key_id: str,
           secret: str) -> str:
    if kind in ALPACA_KINDS:
        from runtime.alpaca_clients import (
            ALPACA_DATA_URL,
            ALPACA_LIVE_URL,
            ALPACA_PAPER_URL,
            BrokerEndpoint,
            trading_client,
        )

        paper = kind == "alpaca_paper"
        url = base_url or settings.alpaca_trading_url or (
            ALPACA_PAPER_URL if paper else ALPACA_LIVE_URL)
        endpoint = BrokerEndpoint(trading_url=url, data_url=settings.alpaca_data_url
                                  or ALPACA_DATA_URL, paper=paper, key_id=key_id, secret=secret)
        account = trading_client(endpoint, timeout_s=10.0).get_account()
        return f"account {getattr(account, 'status', 'ok')}"
    if kind == "anthropic":
        import anthropic

        client = anthropic.Anthropic(api_key=secret, base_url=base_url, timeout=10.0,
                                     max_retries=0)
        models = client.models.list()
        return f"{len(models.data)} models"
    import openai

    oclient = openai.OpenAI(api_key=secret, base_url=base_url, timeout=10.0, max_retries=0)
    return f"{len(oclient.models.list().data)} models"


def rotate_keys(settings: Settings, ctx: AppContext) -> int:
    """A new credentials key; every stored secret resealed under it; the old keys dropped.
    Returns how many secrets were resealed."""
    add_key(settings)
    box = CredentialBox(settings)
    count = 0
    with owner_scope(None), ctx.session() as db:
        for row in db.exec(select(Integration)).all():
            row.secret_enc = box.reseal(row.secret_enc)
            if row.key_id_enc:
                row.key_id_enc = box.reseal(row.key_id_enc)
            db.add(row)
            count += 1
        for cred in db.exec(select(BrokerCredential)).all():
            cred.key_id_enc, cred.secret_enc = box.reseal(cred.key_id_enc), box.reseal(
                cred.secret_enc)
            db.add(cred)
            count += 1
        db.commit()
    keep_newest_key(settings)
    log.info("credentials key rotated", extra={"resealed": count})
    return count
