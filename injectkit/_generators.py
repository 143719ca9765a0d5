"""Injected generator and async-generator functions: the request a stream runs in.

Calling an injected generator function returns an :class:`InjectedGenerator` (or
:class:`InjectedAsyncGenerator`) and runs nothing, like any generator.  Its first step
resolves the dependencies, in the request open at that moment (it *joins* it, and that
request's owner closes it) or, with none open, in a request of its *own*.  An own
request is current only while the generator's code runs (between two steps the consumer
is back in its own context) and lives as long as the generator.

The generator *ends* when it is exhausted, raises, or is closed (``close()`` /
``aclose()``, or garbage collection as a last resort, with a ``ResourceWarning`` naming
the function).  Ending closes its function-scoped dependencies, then its own request if
it has one: background tasks (only after exhaustion), then finalizers.  The exception that
ended it (an exception the consumer threw in and the generator did not handle, or the
``GeneratorExit`` of an early close) is thrown into those finalizers, newest first.

The user-facing objects are small classes around a *driver* (a real generator doing the
work) so that a forgotten generator can be told from a closed one: ``__del__`` warns only
when the driver is still open.  A forgotten async driver is then left to the event
loop's async-generator finalizer (asyncio and trio both ``aclose()`` it on the loop).
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncGenerator, Callable, Generator
from contextvars import ContextVar, Token
from typing import Any

from ._exceptions import InjectionError
from ._finalize import Finalizer, close_all
from ._introspect import describe
from ._request import BARE_SYNC, ENDED, META, RequestScope, RequestState
from ._shield import aclose_shielded

__all__ = ["InjectedAsyncGenerator", "InjectedGenerator", "Stream", "joined_stream"]

# Plumbing between the user's call and the user's providers: pytest leaves this module's
# frames out of a failing test's traceback, as it does its own helpers' (a module global,
# so nothing happens per call; ``--fulltrace`` shows them).
__tracebackhide__ = True

ScopeVar = ContextVar["RequestState | None"]
# What resolving a generator handler gives: its generator and its function scope's stack.
Opened = tuple[Any, "list[Finalizer] | None"]


class Stream:
    """How one injected generator function starts: made once, at decoration.

    ``join(state)`` is the plan's ``stream`` entry for a request already open; ``own()``
    the ``(fresh, template)`` pair for a request of the generator's own.
    """

    __slots__ = ("adopt", "func", "join", "own", "scope_var")

    def __init__(
        self,
        func: Callable[..., Any],
        scope_var: ScopeVar,
        join: Callable[[RequestState], Callable[..., Any]],
        own: Callable[[], tuple[Callable[..., Any], dict[object, Any]]],
        adopt: Callable[[RequestState], RequestScope],
    ) -> None:
        self.func = func
        self.scope_var = scope_var
        self.join = join
        self.own = own
        self.adopt = adopt  # the scope object of a bare request (RequestScope._adopt)

    def sync(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> InjectedGenerator:
        return InjectedGenerator(self, None, args, kwargs)

    def asynchronous(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> InjectedAsyncGenerator:
        return InjectedAsyncGenerator(self, None, args, kwargs)


def joined_stream(
    func: Callable[..., Any],
    entry: Callable[[], Callable[..., Any]],
    is_async: bool,
    scope_var: ScopeVar,
    adopt: Callable[[RequestState], RequestScope],
) -> Callable[..., Any]:
    """A generator plan's ``run``: ``scope.call(gen_func)`` gives the injected generator,
    joined to that scope's request (current while its code runs); ``entry()`` is the
    plan's ``stream`` entry."""
    stream = Stream(func, scope_var, lambda state: entry(), _no_own_request, adopt)
    if is_async:

        async def arun(state: RequestState, args: Any, kwargs: Any) -> Any:
            return InjectedAsyncGenerator(stream, state, args, kwargs)

        return arun

    def run(state: RequestState, args: Any, kwargs: Any) -> Any:
        return InjectedGenerator(stream, state, args, kwargs)

    return run


def _no_own_request() -> tuple[Callable[..., Any], dict[object, Any]]:  # pragma: no cover
    raise AssertionError("a joined stream never opens its own request")


class _Live:
    """Whether a driver has resources open (it resolved and has not ended yet).

    ``wrapper`` is the injected generator until its first step: a joined one is then
    held by the request it joined (see _closer), an own one by its consumer only.
    """

    __slots__ = ("open", "wrapper")

    def __init__(self) -> None:
        self.open = False
        self.wrapper: Any = None


class _JoinedGenerator:
    """The owner named in messages about the closer of a joined generator."""

    __slots__ = ("label",)

    def __init__(self, func: Callable[..., Any]) -> None:
        self.label = f"injected generator {describe(func)}"

    def chain(self) -> list[str]:
        return [self.label]


# A joined generator is closed with the request it joined, if it has not ended by then:
# a closer on that request's finalizer stack (pushed after the generator's own
# providers, so it runs before their finalizers) closes it.  The consumer that stopped
# iterating (a client gone mid-stream) then leaves nothing to the garbage collector.


def _closer(live: _Live) -> Generator[None, None, None]:
    wrapper, live.wrapper = live.wrapper, None
    try:
        yield
    finally:
        if live.open:
            wrapper.close()


async def _acloser(live: _Live) -> AsyncGenerator[None, None]:
    wrapper, live.wrapper = live.wrapper, None
    try:
        yield
    finally:
        if live.open:
            await wrapper.aclose()


def _closed_with(stream: Stream, state: RequestState, closer: Any, is_async: bool) -> None:
    """Put ``closer`` (started: it holds the generator) on the finalizer stack of the
    request ``state`` is."""
    scope = state[META]
    if scope is None or scope is BARE_SYNC:
        scope = stream.adopt(state)
    stack: list[Finalizer] | None = scope._finalizers
    if stack is None:
        stack = scope._finalizers = []
    stack.append((closer, is_async, _JoinedGenerator(stream.func)))


# -- where the first step runs: the same for both kinds (the drivers differ only in awaits)


def _joined(stream: Stream, given: RequestState | None) -> RequestState | None:
    """The request a generator's first step joins: ``given`` (``scope.call``), else the
    current request if it is open; None when the generator opens a request of its own."""
    if given is not None:
        return given
    state = stream.scope_var.get()
    return None if state is None or state[META] is ENDED else state


def _own(stream: Stream, live: _Live) -> tuple[Callable[..., Any], RequestState]:
    """A request of the generator's own: its plan's ``fresh`` and the new request."""
    live.wrapper = None  # its consumer alone holds the generator
    fresh, template = stream.own()
    return fresh, template.copy()


def _set(scope_var: ScopeVar, state: RequestState | None) -> Token[RequestState | None] | None:
    return None if state is None else scope_var.set(state)


def _reset(scope_var: ScopeVar, token: Token[RequestState | None] | None) -> None:
    if token is not None:
        try:
            scope_var.reset(token)
        except ValueError:  # stepped in another context than the one it was set in
            scope_var.set(token.old_value if token.old_value is not Token.MISSING else None)


# -- the drivers ---------------------------------------------------------------------------
# The step loops are twins: a generator and an async generator cannot share a body, and a
# helper called per chunk would cost every chunk a call.


def _drive(
    stream: Stream,
    given: RequestState | None,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    live: _Live,
) -> Generator[Any, Any, Any]:
    """The work of an injected sync generator: resolve, step, end (see the module doc)."""
    scope_var = stream.scope_var
    joined = _joined(stream, given)
    own: RequestState | None = None
    if joined is not None:
        gen, fstack = stream.join(joined)(joined, args, kwargs)
        closer = _closer(live)
        next(closer)
        _closed_with(stream, joined, closer, False)
    else:
        fresh, own = _own(stream, live)
        first = scope_var.set(own)
        try:
            gen, fstack = fresh(own, args, kwargs)
        except BaseException as exc:
            error = _end(scope_var, None, live, None, own, exc)
            if error is exc or error is None:
                raise
            raise error  # noqa: B904 - its __context__ already names exc
        finally:
            _reset(scope_var, first)
    # What is made current while its code runs (None: the request it joined already is).
    current = own if given is None else given
    live.open = True
    sent: Any = None
    thrown: BaseException | None = None
    token: Token[RequestState | None] | None
    try:
        while True:
            token = _set(scope_var, current)
            try:
                item = gen.send(sent) if thrown is None else gen.throw(thrown)
            finally:
                _reset(scope_var, token)
            try:
                sent = yield item
            except GeneratorExit:  # closed early: close the user's generator first
                token = _set(scope_var, current)
                try:
                    gen.close()
                finally:
                    _reset(scope_var, token)
                raise
            except BaseException as consumer_error:  # the consumer threw it in
                thrown, sent = consumer_error, None
            else:
                thrown = None
    except StopIteration as stop:
        error = _end(scope_var, current, live, fstack, own, None)
        if error is not None:
            raise error from None
        return stop.value
    except BaseException as exc:
        error = _end(scope_var, current, live, fstack, own, exc)
        if error is exc or error is None:
            raise
        raise error  # noqa: B904


def _refuse_sync_request(stream: Stream, state: RequestState) -> None:
    """An async generator joining a request opened by sync code (a plain ``with``, a sync
    injected call) would be closed by a sync close, which cannot await its cleanup or its
    providers': refused before any provider runs."""
    scope = state[META]
    if scope is BARE_SYNC or (isinstance(scope, RequestScope) and not scope._is_async):
        name = describe(stream.func)
        raise InjectionError(
            f"{name} is an async generator function, but the request it runs in was "
            "opened by sync code (a plain `with`): its cleanup could not be awaited when "
            "that request closes.",
            path=(name,),
            hint="open the scope with `async with container.request()`.",
        )


async def _adrive(
    stream: Stream,
    given: RequestState | None,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    live: _Live,
) -> AsyncGenerator[Any, Any]:
    """The async twin of :func:`_drive`."""
    scope_var = stream.scope_var
    joined = _joined(stream, given)
    own: RequestState | None = None
    if joined is not None:
        _refuse_sync_request(stream, joined)
        gen, fstack = await stream.join(joined)(joined, args, kwargs)
        closer = _acloser(live)
        await closer.__anext__()
        _closed_with(stream, joined, closer, True)
    else:
        fresh, own = _own(stream, live)
        first = scope_var.set(own)
        try:
            gen, fstack = await fresh(own, args, kwargs)
        except BaseException as exc:
            error = await _aend(scope_var, None, live, None, own, exc)
            if error is exc or error is None:
                raise
            raise error  # noqa: B904
        finally:
            _reset(scope_var, first)
    current = own if given is None else given
    live.open = True
    sent: Any = None
    thrown: BaseException | None = None
    token: Token[RequestState | None] | None
    try:
        while True:
            token = _set(scope_var, current)
            try:
                if thrown is None:
                    item = await gen.asend(sent)
                else:
                    item = await gen.athrow(thrown)
            finally:
                _reset(scope_var, token)
            try:
                sent = yield item
            except GeneratorExit:
                token = _set(scope_var, current)
                try:
                    await gen.aclose()
                finally:
                    _reset(scope_var, token)
                raise
            except BaseException as consumer_error:
                thrown, sent = consumer_error, None
            else:
                thrown = None
    except StopAsyncIteration:
        error = await _aend(scope_var, current, live, fstack, own, None)
        if error is not None:
            raise error from None
    except BaseException as exc:
        error = await _aend(scope_var, current, live, fstack, own, exc)
        if error is exc or error is None:
            raise
        raise error  # noqa: B904


def _end(
    scope_var: ScopeVar,
    current: RequestState | None,
    live: _Live,
    fstack: list[Finalizer] | None,
    own: RequestState | None,
    exc: BaseException | None,
) -> BaseException | None:
    """The generator ended with ``exc``: close its function scope, then its own request
    (if it has one), with ``current`` made current; return the exception it ends with."""
    token = _set(scope_var, current)
    try:
        if fstack:
            exc = close_all(fstack, exc)
        if own is not None:
            scope = own[META]
            if scope is BARE_SYNC:  # nothing to finalize
                own[META] = ENDED
            else:
                exc = scope.close(exc)
        return exc
    finally:
        live.open = False
        _reset(scope_var, token)


async def _aend(
    scope_var: ScopeVar,
    current: RequestState | None,
    live: _Live,
    fstack: list[Finalizer] | None,
    own: RequestState | None,
    exc: BaseException | None,
) -> BaseException | None:
    """The async twin of :func:`_end`."""
    token = _set(scope_var, current)
    try:
        if fstack:
            exc = await aclose_shielded(fstack, exc)
        if own is not None:
            scope = own[META]
            if scope is None:  # a bare async request: nothing to finalize
                own[META] = ENDED
            else:
                exc = await scope.aclose(exc)
        return exc
    finally:
        live.open = False
        _reset(scope_var, token)


# -- what the user holds -------------------------------------------------------------------


def _unclosed(func: Callable[..., Any]) -> None:
    # Point the warning at the user's function, where the fix goes.
    code = getattr(func, "__code__", None)
    warnings.warn_explicit(
        f"injected generator {describe(func)} was garbage-collected before it was "
        "exhausted or closed; its dependencies are finalized only now. Close it (close() / "
        "aclose(), or contextlib.closing / aclosing) when you stop iterating early.",
        ResourceWarning,
        filename=code.co_filename if code else "<injectkit>",
        lineno=code.co_firstlineno if code else 0,
    )


def _thrown(throw: Callable[..., Any], typ: Any, val: Any, tb: Any) -> Any:
    """``throw`` / ``athrow`` passed on in the form it was called with."""
    if val is None and tb is None:
        return throw(typ)
    return throw(typ, val, tb)  # pragma: no cover - the deprecated form


class _Injected:
    """What both kinds of injected generator hold: the function, its driver (made by the
    subclass's ``_drive``) and whether the driver has resources open (for ``__del__``)."""

    __slots__ = ("_driver", "_func", "_live")
    _kind = "generator"
    _drive: Callable[..., Any]

    def __init__(
        self,
        stream: Stream,
        given: RequestState | None,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        live = _Live()
        live.wrapper = self
        self._func = stream.func
        self._live = live
        self._driver = self._drive(stream, given, args, kwargs, live)

    def _forgotten(self) -> bool:
        """Whether it is being collected with resources open (warned here)."""
        live = getattr(self, "_live", None)  # None: __init__ never ran
        if live is None or not live.open:
            return False
        _unclosed(self._func)
        return True

    def __repr__(self) -> str:
        return f"<injected {self._kind} {describe(self._func)}>"


class InjectedGenerator(_Injected, Generator[Any, Any, Any]):
    """What calling an injected generator function returns: a generator whose
    dependencies live until it is exhausted or closed."""

    __slots__ = ()
    _drive = staticmethod(_drive)

    def __next__(self) -> Any:
        return self._driver.send(None)

    def send(self, value: Any) -> Any:
        return self._driver.send(value)

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        return _thrown(self._driver.throw, typ, val, tb)

    def close(self) -> None:
        self._driver.close()

    def __del__(self) -> None:
        if self._forgotten():
            self._driver.close()


class InjectedAsyncGenerator(_Injected, AsyncGenerator[Any, Any]):
    """The async twin of :class:`InjectedGenerator`."""

    __slots__ = ()
    _kind = "async generator"
    _drive = staticmethod(_adrive)

    def __anext__(self) -> Any:
        return self._driver.asend(None)

    def asend(self, value: Any) -> Any:
        return self._driver.asend(value)

    def athrow(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        return _thrown(self._driver.athrow, typ, val, tb)

    def aclose(self) -> Any:
        return self._driver.aclose()

    def __del__(self) -> None:
        # The driver goes with this object; the event loop's async-generator finalizer
        # closes it (its finalizers need the loop).
        self._forgotten()
