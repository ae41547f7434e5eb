"""One retry rule for the whole bot: doubling from the first delay, capped, server delay wins."""

from bot.backoff import Backoff, delay_after


def test_delays_double_from_the_first_and_stop_at_the_ceiling():
    assert [delay_after(n, first=1, ceiling=10) for n in range(6)] == [1, 2, 4, 8, 10, 10]


def test_a_huge_number_of_failures_still_waits_the_ceiling():
    assert delay_after(10_000, first=0.5, ceiling=60) == 60


def test_a_retry_loop_starts_over_after_a_success():
    backoff = Backoff(first=0.5, ceiling=4)
    assert [backoff.next() for _ in range(5)] == [0.5, 1, 2, 4, 4]
    backoff.reset()
    assert backoff.next() == 0.5


def test_the_delay_the_server_asked_for_wins_but_still_counts_as_a_try():
    backoff = Backoff(first=1, ceiling=30)
    assert backoff.next(asked=7.5) == 7.5
    assert backoff.next() == 2
    assert backoff.next(asked=0) == 4  # "retry after 0" is no real answer: the rule applies
