"""Channel kinds and how a message reaches each: SMTP email, Slack (incoming webhook, or the
Web API with a bot token through Lumibot's `SlackNotificationProvider`), Discord webhooks,
Telegram's Bot API, and generic webhooks signed with HMAC-SHA256.

`ChannelConfig` is what a user gives for a channel (validated here, stored encrypted by the
caller); `send` makes one attempt and raises `DeliveryError` saying whether another attempt may
succeed. Every network call has a timeout. Lumibot's Telegram provider posts to a fixed host
with a fixed 20 s timeout, so Telegram is spoken here directly (its API base is configurable,
which also lets tests use a local server); its Slack provider fits the bot-token case.

Signed webhooks: the body is the JSON message; the headers carry `X-Stratforge-Event`,
`X-Stratforge-Delivery` (the same on every retry: receivers dedupe on it),
`X-Stratforge-Timestamp` (epoch seconds) and `X-Stratforge-Signature: sha256=<hex>`, the
HMAC-SHA256 of `<timestamp>.<body>` under the channel's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from core.config import Settings

# \x85 named as well: pydantic's (Rust) \s has it, a JSON-Schema (ECMA) \s does not
EMAIL_PATTERN = r"^[^@\s\x85,;<>]+@[^@\s\x85,;<>]+\.[^@\s\x85,;<>]+$"
DISCORD_LIMIT = 2000


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL")
    return value


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmailConfig(_Config):
    kind: Literal["email"] = "email"
    to: str = Field(pattern=EMAIL_PATTERN, max_length=200)


class SlackConfig(_Config):
    """An incoming-webhook URL, or a bot token and a channel id (the Web API)."""

    kind: Literal["slack"] = "slack"
    webhook_url: str | None = Field(default=None, repr=False, max_length=500)
    bot_token: str | None = Field(default=None, repr=False, max_length=200)
    channel: str | None = Field(default=None, max_length=80)
    api_url: str = "https://slack.com/api"

    _urls = field_validator("webhook_url", "api_url")(
        lambda v: v if v is None else _http_url(v))

    @model_validator(mode="after")
    def _one_way(self) -> SlackConfig:
        if bool(self.webhook_url) == bool(self.bot_token):
            raise ValueError("give either webhook_url, or bot_token and channel")
        if self.bot_token and not self.channel:
            raise ValueError("a bot token needs a channel id")
        return self


class DiscordConfig(_Config):
    kind: Literal["discord"] = "discord"
    webhook_url: str = Field(repr=False, max_length=500)

    _url = field_validator("webhook_url")(_http_url)


class TelegramConfig(_Config):
    kind: Literal["telegram"] = "telegram"
    bot_token: str = Field(repr=False, min_length=10, max_length=200, pattern=r"^[\w:-]+$")
    chat_id: str = Field(min_length=1, max_length=64, pattern=r"^-?\w+$|^@\w+$")
    api_url: str = "https://api.telegram.org"

    _url = field_validator("api_url")(_http_url)


class WebhookConfig(_Config):
    kind: Literal["webhook"] = "webhook"
    url: str = Field(max_length=500)
    secret: str = Field(repr=False, min_length=16, max_length=200)

    _url = field_validator("url")(_http_url)


ChannelConfig = Annotated[
    EmailConfig | SlackConfig | DiscordConfig | TelegramConfig | WebhookConfig,
    Field(discriminator="kind"),
]
CHANNEL_CONFIG: TypeAdapter[ChannelConfig] = TypeAdapter(ChannelConfig)


def parse_config(data: dict[str, Any]) -> ChannelConfig:
    """A channel's settings as their typed config; raises pydantic's `ValidationError`."""
    return CHANNEL_CONFIG.validate_python(data)


def display_target(config: ChannelConfig) -> str:
    """What may be shown of a channel: never a token, a webhook path or a secret."""
    if isinstance(config, EmailConfig):
        return config.to
    if isinstance(config, SlackConfig):
        return f"slack {config.channel}" if config.channel else "slack webhook"
    if isinstance(config, DiscordConfig):
        return "discord webhook"
    if isinstance(config, TelegramConfig):
        return f"telegram chat {config.chat_id}"
    parts = urlsplit(config.url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"[:200]


def secrets_of(config: ChannelConfig) -> list[str]:
    """The values that must never reach a log line or the delivery log."""
    values = [getattr(config, name, None) for name in ("webhook_url", "bot_token", "secret")]
    if isinstance(config, WebhookConfig):
        values.append(config.url)
    return [v for v in values if v]


@dataclass(frozen=True)
class Message:
    delivery_id: int
    event: str
    title: str
    body: str
    created_at: datetime
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.body}".strip()

    def payload(self) -> dict[str, Any]:
        return {"id": self.delivery_id, "event": self.event, "title": self.title,
                "body": self.body, "data": self.data, "created_at": self.created_at.isoformat()}


class DeliveryError(Exception):
    def __init__(self, message: str, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Stratforge-Signature` value of a body sent at `timestamp`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def send(config: ChannelConfig, message: Message, settings: Settings) -> int | None:
    """One attempt; returns the HTTP status (None for email). Raises `DeliveryError`."""
    if isinstance(config, EmailConfig):
        _send_email(config, message, settings)
        return None
    if isinstance(config, SlackConfig):
        if config.bot_token:
            return _send_slack_api(config, message)
        return _post(config.webhook_url or "", message, settings,
                     json_body={"text": f"*{message.title}*\n{message.body}".strip()})
    if isinstance(config, DiscordConfig):
        return _post(config.webhook_url, message, settings,
                     json_body={"content": message.text[:DISCORD_LIMIT]})
    if isinstance(config, TelegramConfig):
        url = f"{config.api_url.rstrip('/')}/bot{config.bot_token}/sendMessage"
        return _post(url, message, settings, json_body={
            "chat_id": config.chat_id, "text": message.text, "disable_web_page_preview": True})
    body = json.dumps(message.payload(), separators=(",", ":"), default=str).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "stratforge-webhook",
        "X-Stratforge-Event": message.event,
        "X-Stratforge-Delivery": str(message.delivery_id),
        "X-Stratforge-Timestamp": timestamp,
        "X-Stratforge-Signature": sign(config.secret, timestamp, body),
    }
    return _post(config.url, message, settings, content=body, headers=headers)


def _post(url: str, message: Message, settings: Settings, *,
          json_body: dict[str, Any] | None = None, content: bytes | None = None,
          headers: dict[str, str] | None = None) -> int:
    try:
        with httpx.Client(timeout=settings.notify_timeout_s, follow_redirects=False) as client:
            if content is not None:
                response = client.post(url, content=content, headers=headers)
            else:
                response = client.post(url, json=json_body, headers=headers)
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"timed out ({type(exc).__name__})", retryable=True) from exc
    except httpx.HTTPError as exc:
        raise DeliveryError(f"unreachable ({type(exc).__name__})", retryable=True) from exc
    status = response.status_code
    if 200 <= status < 300:
        return status
    retryable = status == 429 or status >= 500 or status == 408
    raise DeliveryError(f"answered HTTP {status}", retryable=retryable, status=status)


def _send_slack_api(config: SlackConfig, message: Message) -> int:
    from lumibot.components.notifications.slack import SlackNotificationProvider

    provider = SlackNotificationProvider(bot_token=config.bot_token,
                                         default_channel=config.channel)
    provider.base_url = config.api_url.rstrip("/")
    result = provider.notify(title=message.title, message=message.body,
                             severity="info", channel=config.channel)
    if not result.ok:
        raise DeliveryError(result.reason or "slack refused the message", retryable=True)
    return 200


def _send_email(config: EmailConfig, message: Message, settings: Settings) -> None:
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server configured (STRATFORGE_SMTP_HOST)", retryable=False)
    mail = EmailMessage()
    mail["Subject"] = f"[stratforge] {message.title}"
    mail["From"] = settings.smtp_from
    mail["To"] = config.to
    mail["X-Stratforge-Event"] = message.event
    mail["X-Stratforge-Delivery"] = str(message.delivery_id)
    mail.set_content(message.body or message.title)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port,
                          timeout=settings.notify_timeout_s) as smtp:
            smtp.ehlo()
            if settings.smtp_starttls and smtp.has_extn("starttls"):
                smtp.starttls()
                smtp.ehlo()
            if settings.smtp_username and settings.smtp_password is not None:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError("recipient refused", retryable=False) from exc
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP {exc.smtp_code}", retryable=exc.smtp_code < 500,
                            status=exc.smtp_code) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP unreachable ({type(exc).__name__})", retryable=True) from exc
