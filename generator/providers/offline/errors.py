"""How the offline parser says no: `ParseError` and the wording shared by every refusal.

This module owns the error the parser raises (what was understood and what was not), the two
generic reasons, and the one-line rendering of a pydantic `ValidationError` used when a spec
object refuses what was read.
"""

from __future__ import annotations

from pydantic import ValidationError

GENERIC = "part of the text could not be mapped to a strategy"
NOTHING = "no trading rule, portfolio or rotation was found in the text"


class ParseError(Exception):
    """The text could not be turned into a spec; says what was and was not understood."""

    def __init__(
        self,
        reason: str,
        understood: list[str] | None = None,
        not_understood: list[str] | None = None,
    ) -> None:
        self.reason = reason
        self.understood: list[str] = list(understood or [])
        self.not_understood: list[str] = list(not_understood or [])
        # set when the text is ambiguous in a way the parser can name: the questions that
        # decide it and the ambiguous words (read by generator.clarify)
        self.questions: list[str] = []
        self.vague = ""
        super().__init__(self._message())

    def _message(self) -> str:
        reason = self.reason.rstrip(".")
        parts = [reason if reason.endswith("?") else reason + "."]
        if self.not_understood:
            quoted = "; ".join(f'"{p}"' for p in self.not_understood)
            parts.append(f"Not understood: {quoted}.")
        if self.understood:
            parts.append("Understood: " + "; ".join(self.understood) + ".")
        else:
            parts.append("Nothing else was understood.")
        return " ".join(parts)

    def __str__(self) -> str:
        return self._message()


def validation_errors(exc: ValidationError) -> str:
    """A pydantic error as one line: `loc: message; loc: message`."""
    out: list[str] = []
    for err in exc.errors():
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        loc = ".".join(str(x) for x in err.get("loc", ()))
        out.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(out)
