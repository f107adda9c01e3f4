"""kg.dates: Chinese dates at the precision written, year context, ranges, noisy copies."""
from kg.dates import after, find_dates, parse_date
from kg.model import PartialDate, Span


def _one(text, year=None):
    found = find_dates(text, year=year)
    assert len(found) == 1, found
    return found[0]


def test_full_date_with_span():
    text = "会议于2021年7月9日召开"
    d = _one(text)
    assert d.date == PartialDate(2021, 7, 9)
    assert text[d.span.start:d.span.end] == "2021年7月9日"
    assert d.year_given


def test_year_less_date_takes_the_context_year():
    d = _one("6月3日召开会议", year=2022)
    assert d.date == PartialDate(2022, 6, 3)
    assert not d.year_given


def test_year_less_date_without_context_is_left_out():
    assert find_dates("6月3日召开会议") == []


def test_precision_follows_the_text():
    assert parse_date("2021年11月") == PartialDate(2021, 11)
    assert parse_date("11月底", year=2021) == PartialDate(2021, 11)
    assert parse_date("2023年年底") == PartialDate(2023)
    assert parse_date("2023年底") == PartialDate(2023)
    assert parse_date("年底", year=2024) == PartialDate(2024)
    assert parse_date("2022年5月中旬") == PartialDate(2022, 5)


def test_fullwidth_digits_and_chinese_numerals():
    assert parse_date("２０２１年４月８日") == PartialDate(2021, 4, 8)
    assert parse_date("二〇二一年十二月三十一日") == PartialDate(2021, 12, 31)


def test_range_end_inherits_the_year():
    d = _one("2022年3月15日至5月20日,某巡察组进驻")
    assert d.is_range
    assert (d.date, d.end) == (PartialDate(2022, 3, 15), PartialDate(2022, 5, 20))
    assert d.first == Span(0, 10) and d.last is not None


def test_range_rolling_over_a_year():
    d = _one("2018年11月20日至1月18日")
    assert d.end == PartialDate(2019, 1, 18)


def test_range_with_a_bare_end_day():
    d = _one("9月3日至27日", year=2021)
    assert (d.date, d.end) == (PartialDate(2021, 9, 3), PartialDate(2021, 9, 27))


def test_noisy_date_is_left_out_not_guessed():
    found = find_dates("2021年根据部署,2019711日至0820,某组进驻", year=2021)
    assert [d.text for d in found] == ["2021年"]
    assert find_dates("2019711日至0820", year=2021) == []


def test_invalid_day_is_not_read_as_a_day():
    assert parse_date("2021年2月30日") is None
    assert all(d.date.day is None for d in find_dates("2021年2月30日"))


def test_after_places_a_year_less_date_after_the_reference():
    end = PartialDate(2021, 12, 20)
    assert after(PartialDate(2021, 1, 15), end, False) == PartialDate(2022, 1, 15)
    assert after(PartialDate(2021, 12, 28), end, False) == PartialDate(2021, 12, 28)
    assert after(PartialDate(2020, 1, 15), end, True) == PartialDate(2020, 1, 15)


def test_relative_years_move_the_context_year():
    assert parse_date("明年底", year=2021) == PartialDate(2022)
    assert parse_date("今年6月底", year=2021) == PartialDate(2021, 6)
    assert parse_date("去年12月5日", year=2021) == PartialDate(2020, 12, 5)
