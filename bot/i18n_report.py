"""`python -m bot i18n-report`: how much is translated, and what changed since a translator last looked.

The people who review the Kyrgyz need two lists: what is still missing in each language, and which texts
changed in English (or are new) since their last review. A review is recorded in `locales/reviewed.json` as a
fingerprint of each original (`--mark-reviewed` writes it), so the next report lists only what moved since.
Both the `.po` catalogues and the content texts of `content/` are counted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.content.common import LOCALES, LocalizedText, walk_model
from bot.content.registry import CONTENT_FILES
from bot.content.yamlsource import YamlSyntaxError, parse_yaml
from bot.i18n import LOCALES_DIR, read_catalogue

REVIEWED = LOCALES_DIR / "reviewed.json"


@dataclass(frozen=True)
class Text:
    """One translatable text: where it is, its English original, and its translation per language."""

    where: str
    original: str
    translations: dict[str, str]

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.original.encode("utf-8")).hexdigest()[:16]


def catalogue_texts() -> Iterator[Text]:
    catalogues = {locale: read_catalogue(locale) for locale in LOCALES}
    for message in catalogues["en"]:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
        translations = {}
        for locale in LOCALES:
            found = catalogues[locale].get(message.id)
            string = found.string if found is not None else ""
            translations[locale] = (string[0] if isinstance(string, (list, tuple)) else string) or ""
        translations["en"] = translations["en"] or msgid  # English may leave msgstr empty: the msgid is the text
        yield Text(f"po: {msgid[:60]!r}", msgid, translations)


def content_texts(directory: Path) -> Iterator[Text]:
    for name, model in CONTENT_FILES.items():
        try:
            document = parse_yaml((directory / name).read_text(encoding="utf-8"))
            parsed = model.model_validate(document.data)
        except (OSError, UnicodeDecodeError, YamlSyntaxError, ValueError):
            continue  # check-content reports it
        for loc, value in walk_model(parsed, ()):
            if isinstance(value, LocalizedText):
                line, key = document.locate(loc)
                yield Text(f"{name}:{line} {key}", value.en, {locale: value.get(locale) for locale in LOCALES})


def report(directory: Path, reviewed: Path = REVIEWED) -> list[str]:
    """The report's lines: coverage per language for strings and content texts, then what changed."""
    groups = {"strings (.po)": list(catalogue_texts()), "content texts": list(content_texts(directory))}
    lines = []
    for title, texts in groups.items():
        counts = ", ".join(
            f"{locale} {sum(bool(text.translations[locale].strip()) for text in texts)}/{len(texts)}"
            for locale in LOCALES
        )
        lines.append(f"{title}: {counts}")
        for text in texts:
            missing = [locale for locale in LOCALES if not text.translations[locale].strip()]
            if missing:
                lines.append(f"  missing {', '.join(missing)}: {text.where}")
    seen = _read(reviewed)
    every = [text for texts in groups.values() for text in texts]
    changed = [text for text in every if seen.get("texts", {}).get(text.original[:200]) != text.fingerprint]
    since = seen.get("reviewed_on", "never")
    lines.append(f"changed or new since the last review ({since}): {len(changed)}")
    lines += [f"  {text.where}" for text in changed]
    return lines


def mark_reviewed(directory: Path, reviewed: Path = REVIEWED, today: date | None = None) -> int:
    """Record every original as seen by a translator today; returns how many were recorded."""
    texts = [*catalogue_texts(), *content_texts(directory)]
    data = {
        "reviewed_on": (today or date.today()).isoformat(),
        "texts": {text.original[:200]: text.fingerprint for text in texts},
    }
    reviewed.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return len(data["texts"])


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
