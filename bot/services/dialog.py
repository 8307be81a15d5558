"""A guided dialogue as data: which question comes next, the answers so far, and a Back that really undoes.

Dialogue progress lives in the persisted FSM data (plain JSON), so a restart in the middle of a dialogue
resumes at the same question with the same answers. Every answer pushes a snapshot of the answers before
it; Back pops it, which undoes loops and lists (an added trip, an added date) as naturally as a plain step.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Kind = Literal["yes_no", "choice", "date", "date_list"]
YES, NO = "yes", "no"


@dataclass(frozen=True)
class Question:
    """One question: how it is answered (buttons or a typed date) and which buttons it offers.

    `choices` are button ids for a "choice" question; `none_choice` is an extra button on a date question
    that answers it with None (for example "I am still in Russia"). `allow_future` accepts future dates.
    A "date_list" question collects dates one per message until the user presses Done.
    """

    id: str
    kind: Kind
    choices: tuple[str, ...] = ()
    none_choice: str | None = None
    allow_future: bool = False

    @property
    def buttons(self) -> tuple[str, ...]:
        if self.kind == "yes_no":
            return (YES, NO)
        return self.choices if self.kind == "choice" else ((self.none_choice,) if self.none_choice else ())


@dataclass
class Progress:
    """Where a user is in a dialogue; `to_data`/`from_data` round-trip it through FSM data."""

    step: str
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def advance(self, answers: dict[str, Any], next_step: str) -> None:
        """Record new answers and move to `next_step`; the previous answers become Back's target."""
        self.history.append((self.step, copy.deepcopy(self.answers)))
        self.answers = answers
        self.step = next_step

    def back(self) -> bool:
        """Return to the previous question with the answers it had; False at the first question."""
        if not self.history:
            return False
        self.step, self.answers = self.history.pop()
        return True

    def to_data(self) -> dict[str, Any]:
        return {"step": self.step, "answers": self.answers, "history": [list(item) for item in self.history]}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Progress:
        history = [(step, answers) for step, answers in data.get("history", [])]
        return cls(step=data["step"], answers=dict(data.get("answers", {})), history=history)


def record_answer(question: Question, value: str | date | None, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers with this one added: dates as ISO strings, a date-list answer appended to its list."""
    stored = value.isoformat() if isinstance(value, date) else value
    if question.kind == "date_list":
        return {**answers, question.id: [*answers.get(question.id, []), stored]}
    return {**answers, question.id: stored}
