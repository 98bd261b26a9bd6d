"""search/days.py: the one home of YYYYMMDD arithmetic."""
import numpy as np
import pytest

from search import days


def test_day_numbers_and_text_round_trip():
    assert days.day_number("2018-09-17") == 20180917
    assert days.day_number("2018-09") == 20180901 and days.day_number("2018") == 20180101
    assert days.day_text(20180917) == "2018-09-17"


def test_bounds_of_a_period():
    assert days.bound("2018-02", True) == 20180228 and days.bound("2020-02", True) == 20200229
    assert days.bound("2018-12", True) == 20181231 and days.bound("2018", False) == 20180101
    assert days.bound("*", True) is None
    with pytest.raises(ValueError):
        days.bound("2018-02-31", False)


def test_within_leaves_unknown_days_out_and_months_count_densely():
    d = np.array([0, 20180101, 20181231, 20190101])
    assert days.within(d, None, None).tolist() == [False, True, True, True]
    assert days.within(d, 20180102, 20190101).tolist() == [False, False, True, True]
    index = days.month_index(np.array([20181231, 20190105]))
    assert index[1] - index[0] == 1 and days.month_text(int(index[0])) == "2018-12"
    assert days.month_of("2018-12") == index[0]
