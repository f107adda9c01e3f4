"""Who does it: the unit that is the subject of a verb (印发, 开展 …), shared by the components that link
a thing to the unit acting on it (documents → xs:issuedBy, programs → xs:conductedBy).

The rule: the nearest Unit mentioned before the verb in the same clause (no ，：； between them), outside
any 《title》, and not itself the object of a preposition (对, 针对, 按照, 落实 … from
``lexicons/doc_issuer_blockers.txt``). With no such unit, there is no link: never invent an agent.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from ..model import Report, Span, SpanIndex, Thing

CLAUSE_BREAK = re.compile(r"[，,：:；;]")  # a unit and its verb must share a clause


@lru_cache(maxsize=1)
def _blocked() -> re.Pattern[str]:
    return re.compile(rf"(?:{lexicon.alternation('doc_issuer_blockers')})\s*$")


def subject_unit(report: Report, before: Span, titles: SpanIndex) -> Thing | None:
    """The unit acting in ``before`` (the text from the clause's start up to the verb), if any; ``titles``
    are the report's cited titles."""
    text = report.text
    for mention, unit in reversed(report.mentions_in(before, "Unit")):
        if titles.overlaps(mention):
            continue
        if CLAUSE_BREAK.search(text, mention.end, before.end):
            break  # the subject of the verb stands in its own clause: nearer units only
        if _blocked().search(text, max(before.start, mention.start - 4), mention.start):
            continue
        return unit
    return None
