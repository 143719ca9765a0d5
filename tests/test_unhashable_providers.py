"""A provider that cannot be hashed (a callable object with ``__eq__`` and no ``__hash__``)
is read without being cached, in the namespace of the function that uses it."""

from __future__ import annotations

from typing import Annotated

from injectkit import Container, Depends


def test_an_unhashable_providers_quoted_local_class_is_found_through_the_handler() -> None:
    """Its ``__call__`` names a class local to this test (a string annotation): it is read
    in the namespace the handler was decorated in, and ``Clock`` is injected."""

    class Clock:
        pass

    class Source:
        """Unhashable: it defines ``__eq__`` and no ``__hash__``."""

        def __eq__(self, other: object) -> bool:
            return self is other

        def __call__(self, clock: Clock) -> str:
            return type(clock).__name__

    c = Container()
    c.register(Clock)
    source = Source()

    @c.inject
    def handler(value: Annotated[str, Depends(source)]) -> str:
        return value

    assert handler() == "Clock"
    assert handler() == "Clock"
