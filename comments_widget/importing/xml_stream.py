"""Streaming XML for exports of any size: elements are handed over as they end and freed at
once, so memory stays flat; DTDs and entities are refused (defusedxml)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from comments_widget.importing.records import ImportError_, open_export


def local(tag: str) -> str:
    """A tag without its namespace: "{http://disqus.com}post" -> "post"."""
    return tag.rsplit("}", 1)[-1]


def child_text(element: Any, name: str) -> str:
    """The text of the first child called `name` (any namespace), "" if none."""
    for child in element:
        if local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def child(element: Any, name: str) -> Any | None:
    for node in element:
        if local(node.tag) == name:
            return node
    return None


def attribute(element: Any, name: str) -> str:
    """An attribute by local name (dsq:id is "{…disqus-internals}id")."""
    for key, value in element.attrib.items():
        if local(key) == name:
            return value.strip()
    return ""


def elements(path: Path, wanted: set[str], depth: int) -> Iterator[Any]:
    """Each element named in `wanted` found `depth` levels below the root, complete; it and
    everything before it is freed once the caller moves on. A gzipped file is read as is."""
    level, parents = 0, []
    with open_export(path) as source:
        try:
            for event, element in iterparse(source, events=("start", "end"),
                                            forbid_dtd=True):
                if event == "start":
                    level += 1
                    parents.append(element)
                    continue
                level -= 1
                parents.pop()
                if level == depth and local(element.tag) in wanted:
                    yield element
                if level == depth and parents:
                    # Done with it: drop it from its parent so the tree never grows.
                    parents[-1].remove(element)
        except DefusedXmlException as error:
            raise ImportError_(f"{path.name} declares a DTD or entities ({error!r}); exports "
                               "never need them, and they can hide a denial of service"
                               ) from error
        except (SyntaxError, EOFError, OSError) as error:  # ParseError is a SyntaxError
            raise ImportError_(f"{path.name} is not well-formed XML ({error})") from error
