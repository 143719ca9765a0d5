"""``@inject`` works in code run by ``exec`` with a bare globals dict (no ``__name__``),
as templating tools and plugin loaders run code."""

from __future__ import annotations

from injectkit import Container


class Clock:
    pass


SOURCE = """
@container.inject
def handler(clock: Clock) -> Clock:
    return clock
"""


def test_inject_decorates_a_function_defined_by_exec_without_a_module_name() -> None:
    """The globals of the exec'd code have no ``__name__``: the handler still works."""
    container = Container()
    container.register(Clock)
    namespace = {"container": container, "Clock": Clock}
    exec(SOURCE, namespace)
    assert "__name__" not in namespace
    assert type(namespace["handler"]()) is Clock
