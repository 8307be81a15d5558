"""YAML documents that remember where each value was written.

Content authors fix problems by line number, so a file is composed into PyYAML nodes (which carry their
marks) and constructed from those same nodes; a path such as ("topics", 3, "body", "ky") coming from a
pydantic error or from a content check is then walked back through the nodes to a line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from bot.content.common import Location


class YamlSyntaxError(ValueError):
    """The file is not valid YAML; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    root: yaml.Node | None

    def locate(self, loc: Location) -> tuple[int, str]:
        """The 1-based line of the deepest node on `loc`, and `loc` as an author-readable key.

        List items that are mappings with an `id` are named by it (`topics.first-30-days.body`), which
        survives reordering better than an index. A missing key resolves to its parent's line.
        """
        node = self.root
        line = node.start_mark.line + 1 if node is not None else 1
        parts: list[str] = []
        for index, step in enumerate(loc):
            found = _step(node, step)
            if found is None:
                parts.extend(_label(rest) for rest in loc[index:])
                break
            node, line, label = found
            parts.append(label)
        return line, _join(parts)

    def duplicate_keys(self) -> list[tuple[int, str]]:
        """(line, key path) of each key written twice in one mapping: PyYAML silently keeps the last."""
        found: list[tuple[int, str]] = []
        pending: list[tuple[yaml.Node, tuple[str, ...]]] = [(self.root, ())] if self.root is not None else []
        while pending:
            node, path = pending.pop()
            if isinstance(node, yaml.MappingNode):
                seen: set[str] = set()
                for key_node, value_node in node.value:
                    key = str(key_node.value)
                    if key in seen:
                        found.append((key_node.start_mark.line + 1, _join((*path, key))))
                    seen.add(key)
                    pending.append((value_node, (*path, key)))
            elif isinstance(node, yaml.SequenceNode):
                pending += [(item, (*path, _item_id(item) or _label(i))) for i, item in enumerate(node.value)]
        return sorted(found)


def parse_yaml(text: str) -> YamlDocument:
    """Compose and construct one YAML document; raise YamlSyntaxError with the line of the fault."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlSyntaxError(line, f"broken YAML: {exc.problem or exc.context}") from exc
    finally:
        loader.dispose()
    return YamlDocument(data=data, root=root)


def _step(node: yaml.Node | None, step: str | int) -> tuple[yaml.Node, int, str] | None:
    """The child of `node` at `step` (a mapping key or a list index), its line and its key-path label.

    A mapping entry is located at its key, where an author looks for it even when the value is a block.
    """
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(step):
                return value_node, key_node.start_mark.line + 1, str(step)
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        item = node.value[step]
        return item, item.start_mark.line + 1, _item_id(item) or _label(step)
    return None


def _join(parts: Sequence[str]) -> str:
    return ".".join(parts).replace(".[", "[")


def _label(step: str | int) -> str:
    return f"[{step}]" if isinstance(step, int) else step


def _item_id(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == "id" and isinstance(value_node, yaml.ScalarNode):
                return value_node.value
    return None
