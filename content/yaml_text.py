"""YAML values read as written, where YAML 1.1 reads a country code "NO" (Norway) as false, a guid
"0042" as 34, a title "10:30" as 630 and "2026-06-01" as a date; an empty value or ~ is still none."""

from __future__ import annotations

import yaml

_STRING, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"


def read_as_written(node: yaml.Node) -> None:
    """Mark a plain scalar, or each of a list's, as text, before the loader constructs it."""
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            read_as_written(item)
    elif isinstance(node, yaml.ScalarNode) and node.style is None and node.tag != _NULL:
        node.tag = _STRING
