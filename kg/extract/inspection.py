"""Component "inspection": the inspection a report answers, from its opening sentences.

A rectification report opens by saying who inspected whom, when, and when the findings were fed back::

    根据……统一部署,2019年10月25日至11月25日,省委第八巡视组对我厅开展了机动巡视。
    2020年3月11日,省委巡视组向我厅党组反馈了机动巡视意见。

From the first such clause in the report this adds

* one ``Inspection`` (key ``"inspection"``; label ``<team>对<unit>的<kinds>``; mention = the clause) with
  ``startDate``/``endDate`` (the date range of the sentence), ``feedbackDate`` (the first date before 反馈 in
  the next sentence; a year left out is the end's year, or the next one when the day falls before the end),
  and ``inspectionType`` (each stated kind: 常规巡视, 机动巡视, 营商专项巡视, bare 巡察 …);
* an ``InspectionTeam`` (label and key = the team's name as written) — relation ``xs:team``;
* a ``Unit`` for the inspected unit as written (我厅 / 省文化和旅游厅党组 / 铁东区) — relation
  ``xs:inspectedUnit``. When it is written as 我厅/我市 …, the names the report gives elsewhere (the signing
  organisation, the title's issuer, the feedback's recipient) are added as alternative labels, so that the
  unit can be told apart before the unit resolver runs.

For the units resolver it leaves ``report.meta["inspected_unit"]`` (the surface),
``["inspected_unit_thing"]``, ``["team_thing"]``, ``["inspection_thing"]`` and ``["feedback_recipient"]``.
A report without a signature date takes its year from the feedback date (else the end date).
Word lists are lexicons: inspection_types.txt, inspection_bodies.txt, inspection_verbs.txt,
party_org_suffixes.tsv.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from ..dates import DateMention, after, find_dates
from ..model import PartialDate, Report, Span
from ..pipeline import component

OPENING_WINDOW = 1500  # characters from the report's start searched for the opening clause
_NUM = "[一二三四五六七八九十0-9０-９]+"
_STOP = "，,。；;：:\n"


@lru_cache(maxsize=1)
def _team_rx() -> re.Pattern[str]:
    bodies = lexicon.alternation("inspection_bodies")
    return re.compile(rf"(?:[一二三四五六七八九十]+届)?(?:{bodies})(?:第?{_NUM}轮巡[视察])?(?:第{_NUM})?(?:巡视|巡察)组")


@lru_cache(maxsize=1)
def _clause_rx() -> re.Pattern[str]:
    """<team>(于…)对<unit>(<paren>)<verb><kinds>巡视/巡察 (team is matched separately, this starts after it)."""
    verbs = lexicon.alternation("inspection_verbs")
    kind = rf"[^{_STOP}和及、暨与并]{{0,24}}?(?:巡视|巡察)(?:“回头看”)?"
    return re.compile(
        rf"[^{_STOP}]{{0,30}}?(?:对|进驻)(?P<unit>[^{_STOP}（(]{{2,40}}?)(?P<paren>[（(][^）)\n]{{0,40}}[）)])?"
        rf"(?:{verbs})(?P<kinds>{kind}(?:[和及、暨与]{kind})*)")


@lru_cache(maxsize=1)
def _kinds() -> list[str]:
    return sorted(lexicon.words("inspection_types"), key=len, reverse=True)


_SEP = re.compile(r"[和及、暨与并]")
_SPECIAL = re.compile(r"([\u4e00-\u9fa5]{2,6}专项巡[视察])$")


def inspection_types(phrase: str) -> list[str]:
    """The kinds stated in e.g. '常规巡视和营商专项巡视' → ['常规巡视', '营商专项巡视']."""
    out: list[str] = []
    for piece in _SEP.split(phrase):
        piece = piece.strip()
        if not piece.endswith(("巡视", "巡察", "回头看”")):
            continue
        tail = piece.rsplit("的", 1)[-1]
        known = next((k for k in _kinds() if tail.endswith(k)), None)
        m = _SPECIAL.search(tail)
        kind = m.group(1) if m and (known is None or len(m.group(1)) > len(known)) else known
        if kind and kind not in out:
            out.append(kind)
    return out


@lru_cache(maxsize=1)
def _org_suffixes() -> list[tuple[str, str]]:
    rows = [(r["suffix"], r.get("replace", "")) for r in lexicon.table("party_org_suffixes") if r["suffix"]]
    return sorted(rows, key=lambda r: len(r[0]), reverse=True)


def unit_names_from_org(name: str, province: str | None = None) -> list[str]:
    """Names of the unit a party organisation belongs to: 中共辽宁省商务厅党组 → [中共辽宁省商务厅党组,
    辽宁省商务厅党组, 辽宁省商务厅, 省商务厅党组?, 省商务厅]."""
    name = name.strip()
    out = [name]
    bare = name[2:] if name.startswith("中共") else name
    out.append(bare)
    for suf, rep in _org_suffixes():
        if bare.endswith(suf) and len(bare) > len(suf) + 1:
            out.append(bare[: -len(suf)] + rep)
            break
    if province:
        for n in list(out[1:]):
            if n.startswith(province + "省"):
                out.append(n[len(province):])
    seen: dict[str, None] = {}
    for n in out:
        if len(n) >= 2:
            seen.setdefault(n, None)
    return list(seen)


_RECIPIENT = [re.compile(rf"向(?P<r>[^{_STOP}]{{2,30}}?)(?:书面)?反馈"),
              re.compile(rf"(?:^|[,，])\s*(?P<r>[^{_STOP}]{{2,30}}?)(?:收到了?|接到了?|签收了?)")]
_TITLE_ISSUER = re.compile(r"^(?P<u>中共[^\s关]{2,40}?|[^\s关]{2,40}?(?:党组|党委|委员会|党工委))关于")


@component("inspection")
class InspectionExtractor:
    """Adds the report's Inspection, its InspectionTeam and inspected Unit."""

    def __call__(self, report: Report) -> None:
        text = report.text
        lo, hi = report.span.start, min(report.span.end, report.span.start + OPENING_WINDOW)
        for tm in _team_rx().finditer(text, lo, hi):
            cm = _clause_rx().match(text, tm.end(), hi)
            if cm:
                self._record(report, tm, cm)
                return

    # ------------------------------------------------------------------------------------------------
    def _record(self, report: Report, tm: re.Match, cm: re.Match) -> None:
        text = report.text
        team_name = tm.group()
        team_span = Span(tm.start(), tm.end())
        unit_surface = cm["unit"].strip()
        u0 = cm.start("unit") + (len(cm["unit"]) - len(cm["unit"].lstrip()))
        unit_span = Span(u0, u0 + len(unit_surface))
        kinds = inspection_types(cm["kinds"]) or [cm["kinds"][-2:]]
        clause = Span(tm.start(), cm.end())

        sentence = report.sentence_at(tm.start())
        start = end = None
        rng = next((d for d in find_dates(text, sentence.start, sentence.end, year=report.year) if d.is_range), None)
        if rng is not None and (rng.year_given or report.year is not None):
            start, end = rng.date, rng.end
        feedback, recipient = self._feedback(report, cm.end(), end or start)

        if report.meta.get("issued_date") is None:
            ref = feedback or end or start
            if ref is not None:
                report.year = ref.year

        alt: set[str] = set()
        if cm["paren"]:
            inner = re.split(r"[,，;；]", cm["paren"][1:-1])[0].strip()
            if 2 <= len(inner) <= 30 and "下同" not in inner:
                alt.add(inner)
        label_unit = unit_surface
        if unit_surface.startswith("我"):
            names = self._names_elsewhere(report, recipient)
            alt.update(names)
            short = [n for n in names if not n.startswith("中共") and not n.endswith(("党组", "党委"))]
            if short:
                label_unit = min(short, key=len)

        team = report.add("InspectionTeam", team_name, team_span, key=team_name)
        unit = report.add("Unit", unit_surface, unit_span, key=unit_surface, alt_labels=alt - {unit_surface})
        attrs = {"inspectionType": kinds}
        for k, v in (("startDate", start), ("endDate", end), ("feedbackDate", feedback)):
            if v is not None:
                attrs[k] = v
        insp = report.add("Inspection", f"{team_name}对{label_unit}的{'和'.join(kinds)}", clause,
                          key="inspection", **attrs)
        report.relate(insp, "xs:team", team, clause)
        report.relate(insp, "xs:inspectedUnit", unit, clause)
        report.meta.update(inspected_unit=unit_surface, inspected_unit_thing=unit, team_thing=team,
                           inspection_thing=insp, feedback_recipient=recipient)

    def _feedback(self, report: Report, pos: int, ref: PartialDate | None) -> tuple[PartialDate | None, str | None]:
        """The feedback date and recipient: in the rest of the opening sentence or the next two sentences,
        the last date written before 反馈 (a date without a year is placed after ``ref``)."""
        text = report.text
        sents = [s for s in report.sentences if s.end > pos][:3]
        for s in sents:
            a = max(s.start, pos)
            k = text.find("反馈", a, s.end)
            if k < 0:
                continue
            year = ref.year if ref is not None else report.year
            dates = [d for d in find_dates(text, a, k, year=year) if not d.is_range]
            recipient = None
            seg = text[a:s.end]
            for rx in _RECIPIENT:
                m = rx.search(seg)
                if m:
                    recipient = m["r"].strip()
                    break
            if not dates:
                return None, recipient
            d: DateMention = dates[-1]
            date = d.date
            if not d.year_given and ref is not None:
                date = after(date, ref, False)
            elif not d.year_given and year is None:
                return None, recipient
            return date, recipient
        return None, None

    def _names_elsewhere(self, report: Report, recipient: str | None) -> list[str]:
        """The inspected unit's names when the opening calls it 我厅/我市: from the signature, the title's
        issuer and the feedback's recipient."""
        names: list[str] = []
        if report.publisher is not None:
            names += unit_names_from_org(report.surface(report.publisher), report.province)
        if report.title is not None:
            m = _TITLE_ISSUER.match(report.surface(report.title).strip())
            if m:
                names += unit_names_from_org(m["u"], report.province)
        if recipient and not recipient.startswith("我") and len(recipient) <= 20:
            names += unit_names_from_org(recipient, report.province)
        seen: dict[str, None] = {}
        for n in names:
            seen.setdefault(n, None)
        return list(seen)
