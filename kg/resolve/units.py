"""Resolvers for Unit and InspectionTeam things: one key for all the names of one body.

Identity rules (what makes two names one unit):

1. **The inspected unit.** The signing line (``report.publisher``), the unit the inspection sentence names
   (``report.meta["inspected_unit_thing"]``) and the report's self-references (``unit_aliases.tsv``: 我厅,
   厅党组, 我县, and 县委/区委/市委/党工委 when the inspected unit is of that level) are one unit. So is
   every other name that normalises (rule 3) to the same key as the signature or the inspection sentence's
   name: 省商务厅, 省商务厅党组, 中共辽宁省商务厅党组 → 辽宁省商务厅. When the report names itself only by a
   self-reference (对我市进行了巡视) and is unsigned, the unit that received the findings (调兵山市委收到了
   反馈意见) gives the name. Counter-example: a recipient that is itself a self-reference (我县收到) names nothing.
2. **The report's province and city.** 省委, 我省, 辽宁省, 中共辽宁省委 are the province's party committee
   (key ``中共辽宁省委``, global); 省政府 / 省人民政府 → ``辽宁省人民政府`` (global); a short provincial name
   省X in a Liaoning report is 辽宁省X (global: a province-level body named with its province is the same
   body in every report). 市委 in a report whose city is known → ``中共{city}市委`` with {city}市 as an alias;
   without a known city it stays a per-report unit.
3. **Normal forms** (used for keys, never shown): 中共 in front is dropped; a place's party committee is the
   place (法库县委, 中共法库县委员会, 法库县 → 法库县; X党工委 / X工作委员会 → X); a party group is its body
   (X党组 → X: 县政府党组 → 县政府); 人民政府 → 政府; a city prefix before a district (鞍山市铁东区) is dropped;
   standard abbreviations (``unit_abbreviations.tsv``: 自由贸易试验区 → 自贸试验区, 委政法委 → 政法委) apply;
   a term number (县委十六届常委会) is dropped; in a county or district report 县X / 区X is the report's own
   (县纪委 → 法库县纪委) and is never taken as the tail of another county's name; 辽宁X领导小组 → 辽宁省X….
4. **Short names.** ``(以下简称“整改工作领导小组”)`` makes the short name an alias of the full one. A name
   that is the tail of exactly one longer unit name in the same report (纪委监委 of 县纪委监委, 管委会 of
   开发区管委会) is that unit; when the tail fits two different units it stays apart, unless exactly one of
   them is of the report's own county or district (组织部 → 县委组织部, not 沈阳市委组织部).
5. **Teams** are per report (key ``team:`` + name, scope report): 省委第一巡视组 of one report is not that of
   another. An unnumbered 省委巡视组 / 市委巡察组 / 巡视组 in a report with one numbered team is that team.
6. **Across reports** only what is surely the same merges (scope global): national bodies of
   ``known_units.tsv`` (党中央, 国务院 …), province-level bodies named with their province after rule 2
   (辽宁省商务厅), companies with a full registered name (…有限公司), universities. Everything else
   (县财政局, 办公室-like names, 市委 without a city) is per report.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from ..model import Report, Thing
from .registry import resolver


@lru_cache(maxsize=1)
def _aliases() -> dict[str, dict[str, str]]:
    return {r["alias"]: r for r in lexicon.table("unit_aliases")}


@lru_cache(maxsize=1)
def _inspected_aliases() -> frozenset[str]:
    return frozenset(a for a, r in _aliases().items() if r["refers_to"] == "inspected")


@lru_cache(maxsize=1)
def _known() -> dict[str, dict[str, str]]:
    return {r["surface"]: r for r in lexicon.table("known_units")}


@lru_cache(maxsize=1)
def _provinces() -> tuple[str, ...]:
    return tuple(lexicon.words("provinces"))


_PARTY_PLACE = re.compile(r"^(.{2,}?[省市县区])(?:委员会|委)$")
_WORK_COMMITTEE = re.compile(r"^(.{2,}?)(?:党工委|工作委员会|党工作委员会)$")
_PARTY_GROUP = re.compile(r"^(.{2,}?)(?:党组|党委)$")
_CITY_DISTRICT = re.compile(r"^(?:[\u4e00-\u9fff]{2,3}省)?[\u4e00-\u9fff]{2,4}市(?=[\u4e00-\u9fff]{2,4}[区县])")
_TEAM_NUMBERED = re.compile(r"第[一二三四五六七八九十\d]+(?:巡视|巡察)组")
_TEAM_GENERIC = re.compile(r"^(?:中共)?(?:(?:[省市县区]|[\u4e00-\u9fff]{2,4}[省市县区])委)?(?:巡视|巡察)组$")
_HEADS_OF_BODY = re.compile(r"(?:厅|局|委|办|部|院|室|会|政府|政协|中心|集团|公司|人大常委会)$")
_GLOBAL_COMPANY = re.compile(r"(?:有限公司|有限责任公司|股份公司|集团)$")


def province_of(report: Report) -> str | None:
    """The report's province: from the report, else the first 某省 named in it or its file."""
    if report.province:
        return report.province
    cached = report.meta.get("_unit_province")
    if cached is not None:
        return cached or None
    alt = "|".join(map(re.escape, _provinces()))
    found = ""
    for probe in (report.body, report.text[:5000]):
        m = re.search(f"({alt})省", probe)
        if m:
            found = m[1]
            break
    report.meta["_unit_province"] = found
    return found or None


@lru_cache(maxsize=1)
def _abbreviations() -> tuple[tuple[str, str], ...]:
    rows = [(r["full"], r["short"]) for r in lexicon.table("unit_abbreviations")]
    return tuple(sorted(rows, key=lambda r: len(r[0]), reverse=True))


_TERM = re.compile(r"(?<=[委会])第?[一二三四五六七八九十\d]{1,3}届(?=[\u4e00-\u9fff]{2})")


def _own_county(report: Report) -> str:
    """The county or district the report is about (法库县, 铁东区), when the report is one's."""
    if "_unit_own_county" not in report.meta:
        from ..extract.units import own_place

        stem = own_place(report)
        report.meta["_unit_own_county"] = stem if re.fullmatch(r"[\u4e00-\u9fff]{1,4}[县区]", stem or "") else ""
    return report.meta["_unit_own_county"]


def normal_form(name: str, report: Report) -> str:
    """The key-form of a unit name (rule 3 and the province expansion of rule 2); standard abbreviations
    (``unit_abbreviations.tsv``: 自由贸易试验区 → 自贸试验区) are applied first."""
    return _normal_form(name, _own_county(report), province_of(report), report.city)


@lru_cache(maxsize=1 << 14)
def _normal_form(name: str, own: str, prov: str | None, city: str | None) -> str:
    """``normal_form`` in a report about the county or district ``own`` ('' if none), of province ``prov`` and
    city ``city``: a name recurs in a report and across reports, so it is worked out once."""
    s = name.strip()
    for full, short in _abbreviations():
        if full in s:
            s = s.replace(full, short)
    if s.startswith("中共") and len(s) > 3:
        s = s[2:]
    s = s.replace("人民政府", "政府").replace("人民法院", "法院").replace("人民检察院", "检察院")
    s = re.sub(r"纪委监委$", "纪委", s)
    s = re.sub(r"办公室$", "办", s) if len(s) > 3 else s
    for _ in range(2):
        m = _WORK_COMMITTEE.match(s)
        if m:
            s = m[1]
            if s.endswith("委"):  # 东营市委经济技术开发区 → keep the zone
                pass
        m = _PARTY_PLACE.match(s)
        if m:
            s = m[1]
        m = _PARTY_GROUP.match(s)
        if m and _HEADS_OF_BODY.search(m[1]):
            s = m[1]
        elif m and re.search(r"[省市县区]$", m[1]) and len(m[1]) >= 3:
            s = m[1]
    s = _CITY_DISTRICT.sub("", s)
    s = _TERM.sub("", s) if len(s) > 6 else s  # 县委十六届常委会 → 县委常委会
    if own and len(s) > 1 and s[0] == own[-1] and not s.startswith(own):  # 县纪委 in 法库县's report
        s = own + s[1:]
    if prov:
        if s.startswith("省") and len(s) > 1:
            s = f"{prov}省{s[1:]}"
        elif s.startswith(prov) and not s.startswith(prov + "省") and len(s) > len(prov) + 1:
            rest = s[len(prov):]
            if re.match(r"[\u4e00-\u9fff]{1,6}(?:厅|局|委|办)$", rest) or \
                    re.match(r"[\u4e00-\u9fff]{2,12}(?:领导小组|委员会)$", rest) and not re.match(r"[\u4e00-\u9fff]{2,4}[市县]", rest):
                s = f"{prov}省{rest}"
    if city and s.startswith("市") and len(s) > 1 and not s.startswith("市委"):
        s = f"{city}市{s[1:]}"
    return s


def scope_of(key: str, report: Report) -> str:
    """global for a province-level body named with its province, a registered company, a university."""
    prov = province_of(report)
    if prov and key.startswith(f"{prov}省") and key != f"{prov}省" \
            and not re.match(r"[\u4e00-\u9fff]{2,4}[市县区]", key[len(prov) + 1:]):
        return "global"
    if (_GLOBAL_COMPANY.search(key) and len(key) >= 8) or (key.endswith("大学") and len(key) >= 4):
        return "global"
    return "report"


def _province_key(report: Report) -> tuple[str, str, set[str]] | None:
    prov = province_of(report)
    if not prov:
        return None
    return f"{prov}省", f"中共{prov}省委", {"省委", f"{prov}省", f"中共{prov}省委"}


def _inspected_level(name: str) -> str:
    if re.search(r"(?:党工委|工作委员会)$", name):
        return "党工委"
    n = re.sub(r"(?:委员会|委)$", "", name.removeprefix("中共"))
    for lv in ("县", "区", "市"):
        if n.endswith(lv):
            return lv
    return ""


def _display(name: str) -> str:
    return name[2:] if name.startswith("中共") and len(name) > 4 else name


@resolver("Unit")
def resolve_units(report: Report) -> None:
    units = report.things_of("Unit")
    if not units:
        return
    prov = province_of(report)
    # -- rule 1: the inspected unit -------------------------------------------------------------
    inspected: list[Thing] = []
    insp_names: list[str] = []
    pub = report.publisher
    for t in units:
        if pub is not None and any(m == pub for m in t.mentions):
            inspected.append(t)
            insp_names.append(report.surface(pub))
    it = report.meta.get("inspected_unit_thing")
    if isinstance(it, Thing) and it.kind == "Unit":
        inspected.append(it)
        insp_names.append(it.label)
    if not insp_names and report.meta.get("inspected_unit"):
        insp_names.append(str(report.meta["inspected_unit"]))
    insp_names = [n for n in insp_names if n not in _aliases()]
    recipient = report.meta.get("feedback_recipient")
    if not insp_names and recipient and recipient not in _aliases():
        # 对我市进行了巡视 … 调兵山市委收到了反馈意见: the unit that received the findings names it
        insp_names.append(str(recipient))
    insp_keys = {normal_form(n, report) for n in insp_names}
    level = next((lv for lv in (_inspected_level(n) for n in insp_names) if lv), "")
    if insp_names:
        best = insp_names[0]
        insp_label = _display(best)
        if pub is None and len(insp_names) > 1:
            insp_label = _display(max(insp_names, key=len))
        insp_key = normal_form(best, report)
        if pub is not None and _HEADS_OF_BODY.search(insp_key) and not insp_key.endswith("委"):
            insp_label = insp_key.replace("省政府", "省人民政府")
        insp_global = bool(prov and insp_key.startswith(f"{prov}省") and not re.search(r"[市县区]", insp_key[len(prov) + 1:len(prov) + 4]))
    else:
        insp_label = insp_key = ""
        insp_global = False

    short_names: dict[str, str] = report.meta.get("unit_short_names", {})
    inspected_keyed = (insp_key, insp_label, "global" if insp_global else "report")

    def keyed_name(surf: str) -> tuple[str, str, str]:
        """(key, label, scope) of a unit named ``surf`` that is not the signature or the inspection's unit."""
        alias = _aliases().get(surf)
        if alias:
            role, lv = alias["refers_to"], alias.get("level", "")
            if role == "inspected" and insp_key and (not lv or lv == level or surf.startswith("我")):
                return inspected_keyed
            if role == "province" and _province_key(report):
                k, label, _ = _province_key(report)
                return k, label, "global"
        known = _known().get(surf)
        if known:
            canon = known["canonical"] or surf
            need = re.findall(r"\{(\w+)\}", canon)
            ctx = {"province": prov, "city": report.city}
            if all(ctx.get(n) for n in need):
                canon = canon.format(**ctx)
                k = normal_form(canon, report)
                if insp_key and k in insp_keys:
                    return inspected_keyed
                return k, canon, known.get("scope") or "report"
            if need:  # 市委 with no city known: a unit of this report only
                return surf, surf, "report"
        full = short_names.get(surf)
        k = normal_form(full or surf, report)
        if insp_key and k in insp_keys:
            return inspected_keyed
        pk = _province_key(report)
        if pk and k == pk[0]:
            return pk[0], pk[1], "global"
        label = _display(full or surf)
        if prov and k.startswith(f"{prov}省") and k != f"{prov}省" and not re.match(r"[\u4e00-\u9fff]{2,4}[市县区]", k[len(prov) + 1:]):
            scope = "global"
            if not label.startswith(prov):
                label = k
        elif _GLOBAL_COMPANY.search(k) and len(k) >= 8 or k.endswith("大学") and len(k) >= 4:
            scope = "global"
        else:
            scope = "report"
        return k, label, scope

    keyed: dict[int, tuple[str, str, str]] = {}  # id(thing) -> (key, label, scope)
    by_name: dict[str, tuple[str, str, str]] = {}  # a report names a unit many times: each name is keyed once
    for t in units:
        if t in inspected and insp_key:
            keyed[id(t)] = inspected_keyed
        else:
            if t.label not in by_name:
                by_name[t.label] = keyed_name(t.label)
            keyed[id(t)] = by_name[t.label]

    # -- rule 4: a tail of exactly one longer name is that unit -----------------------------------
    names_by_key: dict[str, set[str]] = {}
    for t in units:
        k = keyed[id(t)][0]
        names_by_key.setdefault(k, set()).update(t.names)
    name_tails: dict[str, set[str]] = {}  # a proper tail of some name → the keys whose names end so
    key_tails: dict[str, set[str]] = {}
    for k2, names in names_by_key.items():
        for n in names:
            for i in range(1, len(n) - 2):
                name_tails.setdefault(n[i:], set()).add(k2)
        for i in range(1, len(k2) - 2):
            key_tails.setdefault(k2[i:], set()).add(k2)

    def pinned(label: str) -> bool:
        row = _known().get(label)
        return bool(row) and (row.get("scope") == "global" or "{" in row.get("canonical", ""))

    first_of_key: dict[str, tuple[str, str, str]] = {}  # key → (key, label, scope) of its first unit
    for t in units:
        first_of_key.setdefault(keyed[id(t)][0], keyed[id(t)])
    fixed = {id(t) for t in units if t.label in _aliases() or pinned(t.label) or t in inspected}
    own = _own_county(report)  # 县财政局 in 龙山县's report is 龙山县财政局 (rule 3), not the tail of 松山县财政局
    fixed |= {id(t) for t in units if own and keyed[id(t)][0].startswith(own) and t.label.startswith(own[-1])}
    for t in units:
        k, label, scope = keyed[id(t)]
        if id(t) in fixed or len(t.label) < 3:
            continue
        owners = (name_tails.get(t.label, set()) | (key_tails.get(k, set()) if len(k) >= 3 else set())) - {k}
        if len(owners) > 1 and level in ("县", "区"):  # a bare 组织部 in a county report is the county's
            mine = tuple(x for x in (level, _own_county(report)) if x)
            own = {o for o in owners if o.startswith(mine) and not t.label.startswith(("省", "市"))}
            owners = own if len(own) == 1 else owners
        if len(owners) == 1:
            owner = owners.pop()
            keyed[id(t)] = first_of_key[owner]

    for t in units:
        k, label, scope = keyed[id(t)]
        scope = scope_of(k, report) if scope == "report" or k == insp_key else scope
        if t.label != label:
            t.alt_labels.add(t.label)
        t.key, t.label, t.scope = k, label, scope
        t.alt_labels.discard(t.label)
        if scope == "global":  # 我厅, 厅党组 name a different body in every report: not a global name
            t.alt_labels -= _inspected_aliases()


@resolver("InspectionTeam")
def resolve_teams(report: Report) -> None:
    teams = report.things_of("InspectionTeam")
    if not teams:
        return
    numbered = {}
    for t in teams:
        m = _TEAM_NUMBERED.search(t.label)
        if m:
            numbered.setdefault(_team_key(t.label), t.label)
    main = report.meta.get("team_thing")
    main_label = main.label if isinstance(main, Thing) and _TEAM_NUMBERED.search(main.label) else None
    if main_label is None and len(numbered) == 1:
        main_label = next(iter(numbered.values()))
    for t in teams:
        if _TEAM_GENERIC.match(t.label) and main_label and _kind_of(t.label) == _kind_of(main_label):
            target = main_label
        else:
            target = t.label
        if t.label != target:
            t.alt_labels.add(t.label)
        t.label = _display(target)
        t.key = _team_key(target)
        t.scope = "report"
        t.alt_labels.discard(t.label)


def _kind_of(label: str) -> str:
    return "巡察" if "巡察" in label else "巡视"


def _team_key(label: str) -> str:
    s = label.removeprefix("中共")
    s = re.sub(r"^[\u4e00-\u9fff]{1,3}届", "", s)
    return "team:" + s
