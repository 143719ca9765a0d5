"""``tasks.with_timeout(s)``: the task it queues gets every positional and keyword
argument, and a bad limit is refused with the exact call named."""

from __future__ import annotations

import pytest

from injectkit import BackgroundTasks, InjectionError


def test_a_timed_task_keeps_its_positional_and_keyword_arguments() -> None:
    """with_timeout(s).add_task(f, 1, 2, k=3) queues f(1, 2, k=3) with that limit."""
    tasks = BackgroundTasks()

    def send(*args: int, **kwargs: int) -> None:
        return None

    tasks.with_timeout(2).add_task(send, 1, 2, k=3)
    [task] = tasks.tasks
    assert (task.func, task.args, task.kwargs) == (send, (1, 2), {"k": 3})


def test_a_bad_limit_names_the_call_it_was_given_to() -> None:
    """with_timeout(0) is refused with the full text naming with_timeout(seconds)."""
    with pytest.raises(InjectionError) as raised:
        BackgroundTasks().with_timeout(0)
    assert str(raised.value) == (
        "with_timeout(seconds) takes a number of seconds\ngreater than 0, or None for no "
        "limit; got 0.\n  hint: pass e.g. 5 or 0.5; None lifts the limit."
    )
