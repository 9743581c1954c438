"""Generated code on disk: `<code_dir>/<slug>/v<N>.py`, `spec.json` and `manifest.json`.

`.pristine/v<N>.py` keeps each version as recorded; developers edit `v<N>.py` freely.

The manifest records the sha256 of every version as written, so an edited file (hash no longer
matching) is recognised, and a worker can refuse to run a file that is not the version it was
asked for. Writes go through a temporary file and a rename so a crash never leaves half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class ManifestEntry:
    number: int
    file: str
    sha256: str
    class_name: str
    origin: str
    parent: int | None = None


@dataclass
class Manifest:
    slug: str
    strategy_id: int
    versions: list[ManifestEntry] = field(default_factory=list)

    def entry(self, number: int) -> ManifestEntry | None:
        return next((v for v in self.versions if v.number == number), None)


class CodeStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, slug: str) -> Path:
        return self.root / slug

    def version_path(self, slug: str, number: int) -> Path:
        return self.folder(slug) / f"v{number}.py"

    def pristine_path(self, slug: str, number: int) -> Path:
        return self.folder(slug) / ".pristine" / f"v{number}.py"

    def pristine_source(self, slug: str, number: int) -> str | None:
        path = self.pristine_path(slug, number)
        return path.read_text(encoding="utf-8") if path.exists() else None

    def restore_file(self, slug: str, number: int) -> None:
        """Put vN.py back as it was recorded (after its edit became a new version)."""
        source = self.pristine_source(slug, number)
        if source is not None:
            write_atomic(self.version_path(slug, number), source)

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def absolute(self, relative: str) -> Path:
        return self.root / relative

    def load_manifest(self, slug: str) -> Manifest | None:
        path = self.folder(slug) / "manifest.json"
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(
            slug=data["slug"],
            strategy_id=data["strategy_id"],
            versions=[ManifestEntry(**v) for v in data.get("versions", [])],
        )

    def save_manifest(self, manifest: Manifest) -> None:
        data = {
            "slug": manifest.slug,
            "strategy_id": manifest.strategy_id,
            "versions": [asdict(v) for v in manifest.versions],
        }
        write_atomic(
            self.folder(manifest.slug) / "manifest.json", json.dumps(data, indent=2) + "\n"
        )

    def write_version(
        self,
        *,
        slug: str,
        strategy_id: int,
        number: int,
        source: str,
        class_name: str,
        origin: str,
        parent: int | None,
        spec: dict[str, Any] | None,
    ) -> tuple[Path, str]:
        path = self.version_path(slug, number)
        if path.exists():
            raise FileExistsError(f"{path} already exists; versions are never overwritten")
        write_atomic(path, source)
        # an untouched copy, so an edited vN.py can be recorded as a new version and vN restored
        write_atomic(self.pristine_path(slug, number), source)
        if spec is not None:
            write_atomic(self.folder(slug) / "spec.json", json.dumps(spec, indent=2) + "\n")
        digest = sha256_text(source)
        manifest = self.load_manifest(slug) or Manifest(slug=slug, strategy_id=strategy_id)
        manifest.versions.append(
            ManifestEntry(
                number=number,
                file=path.name,
                sha256=digest,
                class_name=class_name,
                origin=origin,
                parent=parent,
            )
        )
        self.save_manifest(manifest)
        return path, digest
