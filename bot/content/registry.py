"""Which YAML files make up `content/`, and the root model each one is validated against.

A feature that ships content adds one line here; the loader, `check-content` and `/reload` then read,
validate and locate problems in its file, including the generic checks on every `Sourced` entry and
every `HtmlText` field.
"""

from __future__ import annotations

from bot.content.common import ContentFile
from bot.content.contacts import ContactsFile
from bot.content.topics import TopicsFile

CONTENT_FILES: dict[str, type[ContentFile]] = {
    "topics.yaml": TopicsFile,
    "contacts.yaml": ContactsFile,
}
