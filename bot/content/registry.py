"""Which YAML files make up `content/`, and the root model each one is validated against.

A feature that ships content adds one line here; the loader, `check-content` and `/reload` then read,
validate and locate problems in its file, including the generic checks on every `Sourced` entry and
every `HtmlText` field.
"""

from __future__ import annotations

from bot.content.answers import AnswersFile
from bot.content.ban_rules import BanRules
from bot.content.catalogue import ServicesFile, TrainingFile
from bot.content.common import StrictModel
from bot.content.contacts import ContactsFile
from bot.content.topics import TopicsFile

# Root models may be a ContentFile, to add checks across entries in `findings()`.
CONTENT_FILES: dict[str, type[StrictModel]] = {
    "topics.yaml": TopicsFile,
    "contacts.yaml": ContactsFile,
    "ban_rules.yaml": BanRules,
    "training.yaml": TrainingFile,
    "services.yaml": ServicesFile,
    "answers.yaml": AnswersFile,
}
