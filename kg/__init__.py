"""xunshi-kg: a knowledge-graph builder for Chinese inspection-rectification reports."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from kg.graph import open_graph


def __getattr__(name: str) -> Any:
    """``kg.open_graph`` on first use: importing ``kg`` (every CLI start) must not pay for rdflib/oxrdflib."""
    if name == "open_graph":
        from kg.graph import open_graph

        return open_graph
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


__all__ = ["__version__", "open_graph"]
