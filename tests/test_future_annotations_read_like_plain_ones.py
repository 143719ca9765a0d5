"""Annotations in a module with ``from __future__ import annotations`` (strings until
read) are read as they are without it: ``None`` is ``NoneType`` (as ``get_type_hints``
reads it), and a tuple is a tuple, not an evaluation that failed."""

from __future__ import annotations

from injectkit import Container


def test_a_parameter_annotated_none_asks_for_nonetype() -> None:
    """``value: None`` asks for ``type(None)``, the key ``get_type_hints`` gives it."""
    c = Container()
    c.register(type(None), lambda: None)

    @c.inject
    def handler(value: None) -> str:
        return repr(value)

    assert handler() == "None"


def test_a_tuple_annotation_is_a_free_parameter_as_without_future_annotations() -> None:
    """``value: (int, str)`` (a tuple, as if for ``isinstance``): a free parameter the call
    passes, as in a module without the import, where the annotation is the tuple itself."""
    c = Container()

    @c.inject
    def handler(value: (int, str)) -> str:  # type: ignore[valid-type]
        return repr(value)

    assert handler(value=3) == "3"
