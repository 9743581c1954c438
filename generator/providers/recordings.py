"""Recorded model answers on disk, keyed by provider, model, prompt version and text.

With `STRATFORGE_LLM_RECORD=1` every accepted answer is stored here; the `replay` provider
serves them back, so a generation can be re-run bit for bit and tests and demos need no
network. One JSON file per recording; the file name starts with a hash of the text so the
recordings of one text can be found without knowing the model.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.logging import get_logger

log = get_logger(__name__)


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def recording_key(provider: str, model: str, prompt_version: str, text: str) -> str:
    return _sha(json.dumps([provider, model, prompt_version, text.strip()]))


class Recordings:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, provider: str, model: str, prompt_version: str, text: str) -> Path:
        key = recording_key(provider, model, prompt_version, text)
        return self.root / f"{_sha(text.strip())[:16]}-{key[:32]}.json"

    def save(
        self,
        *,
        provider: str,
        model: str,
        prompt_version: str,
        text: str,
        spec: dict[str, Any],
        answers: list[str],
        attempts: list[dict[str, Any]],
    ) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self._path(provider, model, prompt_version, text)
        record = {
            "provider": provider,
            "model": model,
            "prompt_version": prompt_version,
            "text": text.strip(),
            "spec": spec,
            "answers": answers,
            "attempts": attempts,
            "recorded_at": datetime.now(UTC).isoformat(),
        }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
        log.info(
            "llm answer recorded", extra={"provider": provider, "model": model, "file": path.name}
        )
        return path

    def find(
        self, text: str, prompt_version: str, provider: str | None = None, model: str | None = None
    ) -> dict[str, Any] | None:
        """The recording for exactly this provider/model, or the newest one for the text."""
        if provider is not None and model is not None:
            path = self._path(provider, model, prompt_version, text)
            return self._load(path)
        found: list[dict[str, Any]] = []
        for path in self.root.glob(f"{_sha(text.strip())[:16]}-*.json"):
            record = self._load(path)
            if record is None or record.get("prompt_version") != prompt_version:
                continue
            if provider is not None and record.get("provider") != provider:
                continue
            found.append(record)
        found.sort(key=lambda r: str(r.get("recorded_at", "")))
        return found[-1] if found else None

    @staticmethod
    def _load(path: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None
