"""How error messages name things: articles, long chains shortened, text that cannot fail.

Messages are built only when an error is raised, and from user objects (providers,
annotations, exceptions) whose ``__repr__`` or ``__str__`` may themselves raise: the
helpers here never let that replace the error being reported.  A leaf module: it imports
nothing from the library.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["exception_message", "exception_text", "safe_repr", "shortened", "with_article"]

# How many names a shortened chain keeps at each end.
KEEP = 5


def with_article(phrase: str) -> str:
    """``"an async generator"``, ``"a generator"``: the phrase after "a" or "an"."""
    article = "an" if phrase[:1].lower() in ("a", "e", "i", "o", "u") else "a"
    return f"{article} {phrase}"


def shortened(names: Sequence[str], keep: int = KEEP) -> list[str]:
    """``names``, or its first and last ``keep`` around ``"… 4,990 more …"``.

    A chain thousands of providers long would otherwise make a message of many kilobytes
    that nobody reads; the error's ``path`` still holds every name.
    """
    hidden = len(names) - 2 * keep
    if hidden <= 1:  # "… 1 more …" is no shorter than the name it hides
        return list(names)
    return [*names[:keep], f"… {hidden:,} more …", *names[-keep:]]


def safe_repr(obj: object) -> str:
    """``repr(obj)``, or a stand-in naming its class when that ``__repr__`` raises."""
    try:
        return repr(obj)
    except Exception:
        return f"<{_class_name(obj)} object (its __repr__ raised)>"


def exception_text(exc: BaseException) -> str:
    """``"ValueError: bad value"`` for an exception caught from user code, to be set
    inside a sentence of ours (see :func:`exception_message`)."""
    detail = exception_message(exc)
    name = _class_name(exc)
    return f"{name}: {detail}" if detail else name


def exception_message(exc: BaseException) -> str:
    """``str(exc)`` without its own closing period: the messages that quote it end the
    sentence themselves (``"...: bad value."``, not ``"...: bad value.."``)."""
    try:
        detail = str(exc).rstrip()
    except Exception:
        return "(its __str__ raised)"
    if detail.endswith(".") and not detail.endswith(".."):  # keep an ellipsis whole
        detail = detail[:-1]
    return detail


def _class_name(obj: object) -> str:
    return type(obj).__qualname__.rsplit("<locals>.", 1)[-1]
