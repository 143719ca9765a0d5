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

from ._finalize import Finalizer, close_all
from ._introspect import describe
from ._request import BARE_SYNC, ENDED, META, RequestScope, RequestState
from ._shield import aclose_shielded

__all__ = ["InjectedAsyncGenerator", "InjectedGenerator", "Stream", "joined_stream"]

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
        live = _Live()
        return InjectedGenerator(self.func, _drive(self, None, args, kwargs, live), live)

    def asynchronous(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> InjectedAsyncGenerator:
        live = _Live()
        return InjectedAsyncGenerator(self.func, _adrive(self, None, args, kwargs, live), live)


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
            live = _Live()
            return InjectedAsyncGenerator(func, _adrive(stream, state, args, kwargs, live), live)

        return arun

    def run(state: RequestState, args: Any, kwargs: Any) -> Any:
        live = _Live()
        return InjectedGenerator(func, _drive(stream, state, args, kwargs, live), live)

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


def _push(stream: Stream, state: RequestState, finalizer: Finalizer) -> None:
    """Put ``finalizer`` on the finalizer stack of the request ``state`` is."""
    scope = state[META]
    if scope is None or scope is BARE_SYNC:
        scope = stream.adopt(state)
    stack: list[Finalizer] | None = scope._finalizers
    if stack is None:
        stack = scope._finalizers = []
    stack.append(finalizer)


def _closed_with(stream: Stream, state: RequestState, closer: Generator[None, None, None]) -> None:
    next(closer)
    _push(stream, state, (closer, False, _JoinedGenerator(stream.func)))


async def _aclosed_with(
    stream: Stream, state: RequestState, closer: AsyncGenerator[None, None]
) -> None:
    await closer.__anext__()
    _push(stream, state, (closer, True, _JoinedGenerator(stream.func)))


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


class _Injected:
    """What both kinds of injected generator hold: the function, its driver and whether
    the driver has resources open (for ``__del__``)."""

    __slots__ = ("_driver", "_func", "_live")
    _kind = "generator"

    def __init__(self, func: Callable[..., Any], driver: Any, live: _Live) -> None:
        self._func = func
        self._driver = driver
        self._live = live
        live.wrapper = self

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

    def __next__(self) -> Any:
        return self._driver.send(None)

    def send(self, value: Any) -> Any:
        return self._driver.send(value)

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        if val is None and tb is None:
            return self._driver.throw(typ)
        return self._driver.throw(typ, val, tb)  # pragma: no cover - the deprecated form

    def close(self) -> None:
        self._driver.close()

    def __del__(self) -> None:
        if self._forgotten():
            self._driver.close()


class InjectedAsyncGenerator(_Injected, AsyncGenerator[Any, Any]):
    """The async twin of :class:`InjectedGenerator`."""

    __slots__ = ()
    _kind = "async generator"

    def __anext__(self) -> Any:
        return self._driver.asend(None)

    def asend(self, value: Any) -> Any:
        return self._driver.asend(value)

    def athrow(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        if val is None and tb is None:
            return self._driver.athrow(typ)
        return self._driver.athrow(typ, val, tb)  # pragma: no cover - the deprecated form

    def aclose(self) -> Any:
        return self._driver.aclose()

    def __del__(self) -> None:
        # The driver goes with this object; the event loop's async-generator finalizer
        # closes it (its finalizers need the loop).
        self._forgotten()


def _set(scope_var: ScopeVar, state: RequestState | None) -> Token[RequestState | None] | None:
    return None if state is None else scope_var.set(state)


def _reset(scope_var: ScopeVar, token: Token[RequestState | None] | None) -> None:
    if token is not None:
        try:
            scope_var.reset(token)
        except ValueError:  # stepped in another context than the one it was set in
            scope_var.set(token.old_value if token.old_value is not Token.MISSING else None)


def _drive(
    stream: Stream,
    given: RequestState | None,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    live: _Live,
) -> Generator[Any, Any, Any]:
    """The work of an injected sync generator: resolve, step, end (see the module doc)."""
    scope_var = stream.scope_var
    own: RequestState | None = None
    if given is not None:  # scope.call: that request, made current while the code runs
        gen, fstack = stream.join(given)(given, args, kwargs)
        current = given
        _closed_with(stream, given, _closer(live))
    else:
        state = scope_var.get()
        if state is not None and state[META] is not ENDED:  # join the open request
            gen, fstack = stream.join(state)(state, args, kwargs)
            current = None  # it is current already
            _closed_with(stream, state, _closer(live))
        else:
            live.wrapper = None  # its consumer alone holds it
            fresh, template = stream.own()
            current = own = template.copy()
            first: Token[RequestState | None] | None = scope_var.set(own)
            try:
                gen, fstack = fresh(own, args, kwargs)
            except BaseException as exc:
                error = _end(None, own, exc)
                if error is exc or error is None:
                    raise
                raise error  # noqa: B904 - its __context__ already names exc
            finally:
                _reset(scope_var, first)
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
        token = _set(scope_var, current)
        try:
            error = _end(fstack, own, None)
        finally:
            live.open = False
            _reset(scope_var, token)
        if error is not None:
            raise error from None
        return stop.value
    except BaseException as exc:
        token = _set(scope_var, current)
        try:
            error = _end(fstack, own, exc)
        finally:
            live.open = False
            _reset(scope_var, token)
        if error is exc or error is None:
            raise
        raise error  # noqa: B904


def _end(
    fstack: list[Finalizer] | None, own: RequestState | None, exc: BaseException | None
) -> BaseException | None:
    """Close the function scope, then the generator's own request (if it has one)."""
    if fstack:
        exc = close_all(fstack, exc)
    if own is not None:
        scope = own[META]
        if scope is BARE_SYNC:  # nothing to finalize
            own[META] = ENDED
        else:
            exc = scope.close(exc)
    return exc


async def _adrive(
    stream: Stream,
    given: RequestState | None,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    live: _Live,
) -> AsyncGenerator[Any, Any]:
    """The async twin of :func:`_drive`."""
    scope_var = stream.scope_var
    own: RequestState | None = None
    if given is not None:
        gen, fstack = await stream.join(given)(given, args, kwargs)
        current = given
        await _aclosed_with(stream, given, _acloser(live))
    else:
        state = scope_var.get()
        if state is not None and state[META] is not ENDED:
            gen, fstack = await stream.join(state)(state, args, kwargs)
            current = None
            await _aclosed_with(stream, state, _acloser(live))
        else:
            live.wrapper = None  # its consumer alone holds it
            fresh, template = stream.own()
            current = own = template.copy()
            first: Token[RequestState | None] | None = scope_var.set(own)
            try:
                gen, fstack = await fresh(own, args, kwargs)
            except BaseException as exc:
                error = await _aend(None, own, exc)
                if error is exc or error is None:
                    raise
                raise error  # noqa: B904
            finally:
                _reset(scope_var, first)
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
        token = _set(scope_var, current)
        try:
            error = await _aend(fstack, own, None)
        finally:
            live.open = False
            _reset(scope_var, token)
        if error is not None:
            raise error from None
    except BaseException as exc:
        token = _set(scope_var, current)
        try:
            error = await _aend(fstack, own, exc)
        finally:
            live.open = False
            _reset(scope_var, token)
        if error is exc or error is None:
            raise
        raise error  # noqa: B904


async def _aend(
    fstack: list[Finalizer] | None, own: RequestState | None, exc: BaseException | None
) -> BaseException | None:
    if fstack:
        exc = await aclose_shielded(fstack, exc)
    if own is not None:
        scope = own[META]
        if scope is None:  # a bare async request: nothing to finalize
            own[META] = ENDED
        else:
            exc = await scope.aclose(exc)
    return exc
