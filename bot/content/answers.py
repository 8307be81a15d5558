"""Saved answers: `content/answers.yaml`, prepared texts a volunteer sends with `/answer KEY`.

Each answer exists in ky, ru and en, so a volunteer who reads Russian can answer a Kyrgyz migrant in Kyrgyz:
the bot sends the migrant's language, whatever the volunteer's.

```yaml
answers:
  - key: ban-check              # what the volunteer types after /answer
    title: {ky: ..., ru: ..., en: ...}   # shown in the /answer list
    text: {ky: ..., ru: ..., en: ...}    # Telegram HTML
    source: FACTS.md §4
    verified_on: 2026-11-20
```
"""

from __future__ import annotations

from pydantic import Field

from bot.content.common import (
    SLUG_PATTERN,
    ContentFile,
    Finding,
    HtmlText,
    LocalizedText,
    Sourced,
    duplicate_ids,
)


class SavedAnswer(Sourced):
    key: str = Field(pattern=SLUG_PATTERN, max_length=32)
    title: LocalizedText
    text: HtmlText


class AnswersFile(ContentFile):
    answers: tuple[SavedAnswer, ...]

    def findings(self) -> list[Finding]:
        return duplicate_ids("answers", [answer.key for answer in self.answers])
