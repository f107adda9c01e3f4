"""Resolvers for ``Person`` and ``Post``: one node per person and per post.

Persons — identity rules (``resolve_persons``):

1. Within a report, the same full name is the same person (the extractor keys a person by its full name).
   宋彦麟 in 厅长宋彦麟 and in 宋彦麟同志 are one person.
2. A given name before 同志 (彦麟同志, extracted with key ``~彦麟``) is the person of the report whose full
   name is a surname + that given name — **only when exactly one** person of the report has it. Counter-
   example: a report naming 王建国 and 李建国 leaves 建国同志 unresolved (a person of its own, label 建国),
   because either could be meant. A given name of no named person stays as it is too. The same holds for
   a two-character "full name" that is exactly the given name of one other person of the report (明哲书记
   next to 欧阳明哲 — 明 is also a surname): it is that person.
3. Across reports a person is the same only when surely so: the full name has at least three characters
   AND the set of (title, unit) pairs of the posts the person holds in the report is not empty and the same
   in both reports (习近平 总书记 in every report; 陈求发 书记). Such persons get ``scope="global"`` and the key
   ``name|title@unit;…``, and every unit in it must itself be global: a unit known only in its report
   (县委, 区纪委, a county's 住建局) has the same key in every county's report, so 王伟 县委书记 of two
   counties would otherwise become one person. Counter-examples: 王伟 局长 in one county's report and 王伟
   局长 in another's are not merged, whether the units' names differ or not; a two-character name (赵丹) is
   never merged across reports; a person with no post (责任人：卢锡超) stays in its report.

Posts — keys (``resolve_posts``), computed after the units' resolver so that unit keys are final:

* a post held by someone: ``unit|title`` (one post of one unit with one title is one node; two persons
  holding 副组长 of the same group share it; the same title in two units is two posts);
* a post named by title alone (held by nobody in the report): ``role|unit|title``, kept apart from the held
  post with the same title, since the text speaks of the position, not of its holder;
* for each person, a held post with no unit is united with the person's post of the same title that has
  one unit (党组书记、厅长宋彦麟 and 省商务厅党组书记宋彦麟 — one 党组书记), so a person holds each title once;
* a post held only by one global person becomes global with that person (one 总书记 for 习近平).
"""
from __future__ import annotations

from ..model import Report, Thing
from .registry import resolver

_GIVEN = "~"


def _holdings(report: Report) -> tuple[dict[int, list[Thing]], dict[int, Thing]]:
    held: dict[int, list[Thing]] = {}  # id(person) -> posts
    unit_of: dict[int, Thing] = {}  # id(post) -> unit
    for rel in report.relations:
        if rel.predicate == "org:holds" and isinstance(rel.object, Thing):
            held.setdefault(id(rel.subject), []).append(rel.object)
        elif rel.predicate == "org:postIn" and isinstance(rel.object, Thing):
            unit_of.setdefault(id(rel.subject), rel.object)
    return held, unit_of


def _surname_len(name: str) -> int:
    from ..lexicon import words

    doubles = {s for s in words("surnames") if len(s) == 2}
    return 2 if name[:2] in doubles and len(name) >= 3 else 1


@resolver("Person")
def resolve_persons(report: Report) -> None:
    persons = report.things_of("Person")
    full = [p for p in persons if not p.key.startswith(_GIVEN)]
    # rule 2: given names before 同志
    by_given: dict[str, set[str]] = {}
    label_of: dict[str, str] = {}
    for p in full:
        g = p.label[_surname_len(p.label):]
        if len(g) >= 2:
            by_given.setdefault(g, set()).add(p.key)
            label_of[p.key] = p.label
    for p in persons:
        if p.key.startswith(_GIVEN):
            g = p.key[len(_GIVEN):]
        elif len(p.label) == 2 and p.label in by_given and p.key not in by_given[p.label]:
            g = p.label  # 明哲书记 read as a two-character full name: the given name of 欧阳明哲
        else:
            continue
        keys = by_given.get(g, set())
        if len(keys) == 1:
            key = next(iter(keys))
            p.key = key
            p.alt_labels.add(g)
            p.label = label_of[key]
            p.alt_labels.discard(p.label)
    # rule 3: global when the name is long enough and the posts say who it is
    held, unit_of = _holdings(report)
    sig: dict[str, set[str]] = {}
    local: set[str] = set()  # persons holding a post of a unit known only in this report
    for p in persons:
        for post in held.get(id(p), []):
            unit = unit_of.get(id(post))
            sig.setdefault(p.key, set()).add(f"{post.label}@{unit.key if unit is not None else ''}")
            if unit is not None and unit.scope != "global":
                local.add(p.key)
    for p in persons:
        if p.key.startswith(_GIVEN) or len(p.label) < 3 or not sig.get(p.key) or p.key in local:
            continue
        p.scope = "global"
        p.key = f"{p.label}|{';'.join(sorted(_dedupe_sig(sig[p.key])))}"


def _dedupe_sig(pairs: set[str]) -> set[str]:
    """Drop title@'' when the same title also comes with exactly one unit (as resolve_posts does)."""
    by_title: dict[str, set[str]] = {}
    for x in pairs:
        t, u = x.rsplit("@", 1)
        by_title.setdefault(t, set()).add(u)
    out = set()
    for t, units in by_title.items():
        named = {u for u in units if u}
        if len(named) == 1:
            out.add(f"{t}@{next(iter(named))}")
        else:
            out |= {f"{t}@{u}" for u in units}
    return out


@resolver("Post")
def resolve_posts(report: Report) -> None:
    held, unit_of = _holdings(report)
    holders: dict[int, list[Thing]] = {}
    for p in report.things_of("Person"):
        for post in held.get(id(p), []):
            holders.setdefault(id(post), []).append(p)
    for post in report.things_of("Post"):
        unit = unit_of.get(id(post))
        ukey = unit.key if unit is not None else ""
        post.key = f"{ukey}|{post.label}" if id(post) in holders else f"role|{ukey}|{post.label}"
    # per person (by final key): one post per title when the unit is not in doubt
    by_person: dict[str, list[Thing]] = {}
    for p in report.things_of("Person"):
        by_person.setdefault(p.key, []).extend(held.get(id(p), []))
    for posts in by_person.values():
        by_title: dict[str, list[Thing]] = {}
        for post in posts:
            by_title.setdefault(post.label, []).append(post)
        for same in by_title.values():
            named = {p.key for p in same if not p.key.startswith("|")}
            if len(named) == 1:
                key = next(iter(named))
                for p in same:
                    if p.key.startswith("|"):
                        p.key = key
    # posts of global persons
    for post in report.things_of("Post"):
        ps = holders.get(id(post), [])
        if ps and all(h.scope == "global" for h in ps):
            post.scope = "global"
            post.key = "+".join(sorted({h.key for h in ps})) + "#" + post.key
