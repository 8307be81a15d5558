"""The guide: `content/topics.yaml`, a tree of trilingual pages with their sources.

```yaml
root: [before-you-go, in-russia]          # top-level sections, in menu order
topics:
  - id: before-you-go                     # slug: used in buttons and deep links
    title: {ky: ..., ru: ..., en: ...}    # plain text
    body: {ky: ..., ru: ..., en: ...}     # Telegram HTML
    children: [ban-check]                 # optional, in display order
    links:                                # optional, shown as URL buttons
    referral: reintegration               # optional: a button into that kind of support services
      - label: {ky: ..., ru: ..., en: ...}
        url: https://...
    source: ...
    verified_on: 2026-11-20
```

Each topic has at most one parent (so Back is unambiguous) and every topic is reachable from `root`.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from bot.content.catalogue import SERVICE_KINDS
from bot.content.common import (
    SLUG_PATTERN,
    ContentFile,
    Finding,
    HtmlText,
    LocalizedText,
    Sourced,
    StrictModel,
    check_url,
    duplicate_ids,
)

# A deep link payload is `topic-<id>` (64 chars of [A-Za-z0-9_-] at most) and callback data is 64 bytes
# with a prefix: 40 leaves room for both.
TOPIC_ID_MAX = 40


class Link(StrictModel):
    label: LocalizedText
    url: str

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_url(value)


class Topic(Sourced):
    id: str = Field(pattern=SLUG_PATTERN, max_length=TOPIC_ID_MAX)
    title: LocalizedText
    body: HtmlText
    children: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    # A support-service kind (`content/services.yaml`): the page then offers a button into that kind's
    # services, where the migrant asks a coordinator for help (the referral flow).
    referral: str | None = None

    @field_validator("referral")
    @classmethod
    def _known_kind(cls, value: str | None) -> str | None:
        if value is not None and value not in SERVICE_KINDS:
            raise ValueError(f"unknown service kind {value!r}; known: {sorted(SERVICE_KINDS)}")
        return value


class TopicsFile(ContentFile):
    root: tuple[str, ...] = Field(min_length=1)
    topics: tuple[Topic, ...]

    def findings(self) -> list[Finding]:
        """Duplicate ids, unknown or repeated children, cycles and pages no one can reach."""
        found = duplicate_ids("topics", [topic.id for topic in self.topics])
        found += self._reference_findings()
        found += self._cycle_findings()
        return found

    def _reference_findings(self) -> list[Finding]:
        known = set(self.topics_by_id())
        found: list[Finding] = []
        parent_of: dict[str, str] = {}
        places = [(("root", i), "root", child) for i, child in enumerate(self.root)] + [
            (("topics", t, "children", i), topic.id, child)
            for t, topic in enumerate(self.topics)
            for i, child in enumerate(topic.children)
        ]
        for loc, parent, child in places:
            if child not in known:
                what = "topic" if loc[0] == "root" else "child"
                found.append(Finding(loc=loc, message=f"unknown {what} id {child!r}"))
            elif child in parent_of:
                found.append(
                    Finding(
                        loc=loc,
                        message=f"{child!r} is already listed under {parent_of[child]!r}: one place only",
                    )
                )
            else:
                parent_of[child] = parent
        for index, topic in enumerate(self.topics):
            if topic.id not in parent_of:
                found.append(
                    Finding(
                        loc=("topics", index, "id"),
                        message=f"{topic.id!r} is neither in root nor a child of another topic",
                        severity="warning",
                    )
                )
        return found

    def _cycle_findings(self) -> list[Finding]:
        """A child path that leads back to a topic on it; reported once, at the topic closing the loop."""
        by_id = self.topics_by_id()
        index_of = {topic.id: index for index, topic in enumerate(self.topics)}
        found: list[Finding] = []
        done: set[str] = set()

        def visit(topic_id: str, path: list[str]) -> None:
            if topic_id in path:
                loop = path[path.index(topic_id) :] + [topic_id]
                found.append(
                    Finding(
                        loc=("topics", index_of[path[-1]], "children"), message="cycle: " + " -> ".join(loop)
                    )
                )
                return
            if topic_id in done or topic_id not in by_id:
                return
            for child in by_id[topic_id].children:
                visit(child, path + [topic_id])
            done.add(topic_id)

        for topic in self.topics:
            visit(topic.id, [])
        return found

    def topics_by_id(self) -> dict[str, Topic]:
        return {topic.id: topic for topic in self.topics}
