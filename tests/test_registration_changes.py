"""Registrations changed while plans are cached: the next call sees them (docs/mutation.md)."""

import pytest

from injectkit import BackgroundTasks, Container, InjectionError

pytestmark = pytest.mark.anyio


class Resource:
    def __init__(self, name: str) -> None:
        self.name = name


async def test_a_registration_made_under_a_local_override_is_seen_by_the_next_call() -> None:
    """Each registration change empties the plans a local override cached, every time."""
    c = Container()
    c.register(Resource, lambda: Resource("first"))
    c.register(int, lambda: 1)

    @c.inject
    async def handler(r: Resource) -> str:
        return r.name

    with c.override(int, lambda: 2, local=True):
        assert await handler() == "first"
        c.register(Resource, lambda: Resource("second"))
        assert await handler() == "second"
        c.register(Resource, lambda: Resource("third"))
        assert await handler() == "third"


def test_registering_background_tasks_says_to_declare_a_parameter_instead() -> None:
    """register(BackgroundTasks) is refused with the fix: declare a parameter of that type."""
    with pytest.raises(InjectionError) as info:
        Container().register(BackgroundTasks)
    assert info.value.hint == "declare a parameter of type BackgroundTasks wherever you need it."
