"""Phase 1 — read a callable once: how to call it, and what each parameter asks for.

Nothing here knows about containers or graphs; :class:`Signature` is a plain description
that the graph builder (``_graph``) turns into nodes.  Reading is the only place that calls
``inspect.signature`` and ``get_type_hints``, and it runs once per callable per container.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import inspect
import keyword
import sys
import types
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ForwardRef, NoReturn, get_args, get_origin

from typing_extensions import get_type_hints

from ._aliases import has_forward_references, unwrap_alias
from ._exceptions import InjectionError
from ._markers import Depends, is_not_from_request
from ._wording import exception_message, exception_text, safe_repr, with_article

__all__ = [
    "MISSING",
    "CallKind",
    "call_kind",
    "Parameter",
    "Signature",
    "describe",
    "read_signature",
]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class CallKind(enum.Enum):
    """What calling a provider gives back, which decides how its value is obtained."""

    SYNC = "sync"
    ASYNC = "async"
    GENERATOR = "generator"
    ASYNC_GENERATOR = "async generator"

    @property
    def is_async(self) -> bool:
        return self in (CallKind.ASYNC, CallKind.ASYNC_GENERATOR)

    @property
    def has_finalizer(self) -> bool:
        return self in (CallKind.GENERATOR, CallKind.ASYNC_GENERATOR)

    @property
    def with_article(self) -> str:
        """``"an async generator"``, ``"a generator"``: for messages."""
        return with_article(self.value)


@dataclass(frozen=True, eq=False)
class Parameter:
    name: str
    annotation: Any  # the type, with ``Annotated`` metadata stripped; MISSING if none
    marker: Depends | None
    default: Any  # MISSING if the parameter has no default
    keyword_only: bool
    not_from_request: bool = False  # annotated ``NotFromRequest[...]``: adapters never read it

    def describe(self) -> str:
        if self.annotation is MISSING:
            return self.name
        return f"{self.name}: {type_name(self.annotation)}"


@dataclass(frozen=True, eq=False)
class Signature:
    call: Callable[..., Any]
    name: str
    kind: CallKind
    parameters: tuple[Parameter, ...]
    returns: Any  # the return annotation, MISSING if none
    # ``*args`` / ``**kwargs``: never injected; an injected function's own receive the
    # call's extra positional arguments and unmatched keywords.
    var_positional: bool = False
    var_keyword: bool = False


# The attribute an injected wrapper carries to point at the function it wraps, so that
# using an injected function as a dependency reads (and overrides) the original.
ORIGINAL_ATTR = "__injectkit_original__"


def unwrap_injected(func: Any) -> Any:
    return getattr(func, ORIGINAL_ATTR, func)


def describe(obj: object) -> str:
    """A short, readable name for a provider or handler, used in every error."""
    if isinstance(obj, functools.partial):
        return f"partial({describe(obj.func)})"
    name: str | None
    if callable(obj) and not isinstance(obj, type) and not inspect.isroutine(obj):
        name = f"{type(obj).__qualname__}()"  # a callable instance, by its class
    else:
        name = _qualname(obj)
    # ``test_x.<locals>.get_db`` reads better as ``get_db``.
    return (name or safe_repr(obj)).rpartition("<locals>.")[2]


def _qualname(obj: Any) -> str | None:
    """``obj.__qualname__`` if it is a non-empty string; never raises."""
    try:
        name = obj.__qualname__
    except Exception:  # none, or a user's __getattr__ raising something else
        return None
    return name if isinstance(name, str) and name else None


def type_name(tp: Any) -> str:
    if isinstance(tp, type):  # not list[int] & co: no parametrized type is a type (3.11+)
        return tp.__qualname__.rsplit("<locals>.", 1)[-1]
    if type(tp) in (list, tuple):  # ``x: [int]``, a mistake shown as written
        inner = ", ".join(  # one level deep: a list may hold itself
            safe_repr(item) if type(item) in (list, tuple) else type_name(item) for item in tp
        )
        return f"[{inner}]" if type(tp) is list else f"({inner})"
    text = safe_repr(tp)
    return text.replace("typing.", "").replace("typing_extensions.", "")


def call_kind(func: Any) -> CallKind:
    """Cheap (no signature reading): how calling ``func`` gives its value."""
    target = func
    while isinstance(target, functools.partial):
        target = target.func
    if isinstance(target, type):
        return CallKind.SYNC
    if not (inspect.isroutine(target)) and callable(target):
        target = type(target).__call__
    if inspect.isasyncgenfunction(target):
        return CallKind.ASYNC_GENERATOR
    if inspect.isgeneratorfunction(target):
        return CallKind.GENERATOR
    if inspect.iscoroutinefunction(target):
        return CallKind.ASYNC
    return CallKind.SYNC


def _hint_source(func: Any) -> Any:
    """The object whose ``__annotations__`` describe ``func``'s parameters."""
    while isinstance(func, functools.partial):
        func = func.func
    if isinstance(func, type):
        call = _metaclass_call(func)
        if call is not None and not _forwards_everything(call):
            return call  # inspect reads the parameters there, so its annotations are these
        return _constructor(func)
    if inspect.ismethod(func):
        return func.__func__
    if not inspect.isroutine(func) and callable(func):
        return type(func).__call__
    return func


def _constructor(cls: type) -> Any:
    """The function that says what ``cls(...)`` takes: its ``__init__``, else its
    ``__new__``; None for neither (``object``'s)."""
    init = vars_lookup(cls, "__init__")
    if init is not object.__init__:
        return init
    new = vars_lookup(cls, "__new__")
    if new is object.__new__:
        return None
    # A class body's __new__ is a staticmethod in its __dict__: the function is inside.
    return new.__func__ if isinstance(new, staticmethod) else new


def _metaclass_call(cls: type) -> types.FunctionType | None:
    """``cls``'s metaclass' own ``__call__`` (a singleton's), if it has one."""
    call = vars_lookup(type(cls), "__call__")
    return call if isinstance(call, types.FunctionType) else None


def _forwards_everything(call: types.FunctionType) -> bool:
    """``__call__(cls, *args, **kwargs)``: it names nothing and passes everything on to
    the class, whose own constructor then says what it takes (``inspect`` would read
    ``*args, **kwargs``)."""
    code = call.__code__
    names_nothing = code.co_argcount == 1 and not code.co_kwonlyargcount
    return names_nothing and bool(code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS))


def _past_a_forwarding_metaclass(cls: type) -> inspect.Signature | None:
    """What ``cls(...)`` takes when its metaclass' ``__call__`` forwards everything
    (None otherwise: ``inspect`` reads the class as Python calls it)."""
    call = _metaclass_call(cls)
    if call is None or not _forwards_everything(call):
        return None
    constructor = _constructor(cls)
    if constructor is None:
        return inspect.Signature()
    signature = inspect.signature(constructor)
    return signature.replace(parameters=list(signature.parameters.values())[1:])


# Modules whose frames only forward a call and are not counted by caller_locals: mutmut
# wraps every function it mutates in two frames of its own (docs/mutation.md).
_FORWARDING_MODULES = ("mutmut.",)


def caller_locals(depth: int) -> dict[str, Any] | None:
    """The locals ``depth`` frames above the caller, unless that is module level.

    Taken when a function is decorated, so that string annotations naming classes local
    to the surrounding function can be evaluated later.
    """
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__", "").startswith(_FORWARDING_MODULES):
            frame = frame.f_back
        elif depth:
            depth -= 1
            frame = frame.f_back
        else:
            break
    if frame is None:
        return None
    if frame.f_locals is frame.f_globals:
        return None  # module level: annotations see these already
    return dict(frame.f_locals)


def vars_lookup(cls: type, name: str) -> Any:
    """``cls.<name>`` found along the MRO without binding it."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


def _evaluate_hints(func: Any, name: str, localns: Mapping[str, Any] | None) -> dict[str, Any]:
    source = _hint_source(func)
    if source is None:
        return {}
    try:
        return get_type_hints(source, include_extras=True)
    except Exception as exc:
        failure = exc
    globalns = _class_module_namespace(func, source)
    # localns: a name of the function around the decorator, missing or shadowed here.
    if localns or globalns is not None:
        with contextlib.suppress(Exception):
            return get_type_hints(
                source, globalns=globalns, localns=dict(localns or {}), include_extras=True
            )
    _explain_annotations(source, name, localns, failure, globalns)


def _class_module_namespace(func: Any, source: Any) -> dict[str, Any] | None:
    """The namespace of the module defining a class whose signature comes from a function
    compiled elsewhere (a NamedTuple's ``__new__`` lives in a namespace of its own, its
    annotations naming what the class's module defines); None otherwise."""
    while isinstance(func, functools.partial):
        func = func.func
    if not isinstance(func, type):
        return None
    module = sys.modules.get(func.__module__)
    namespace: dict[str, Any] | None = getattr(module, "__dict__", None)
    if namespace is None or getattr(source, "__globals__", None) is namespace:
        return None
    return namespace


def _explain_annotations(
    source: Any,
    name: str,
    localns: Mapping[str, Any] | None,
    exc: Exception,
    globalns: dict[str, Any] | None,
) -> NoReturn:
    """Find the annotation that cannot be evaluated, and say which (in ``globalns`` if
    given, else the function's own globals)."""
    raw = getattr(source, "__annotations__", {}) or {}
    if globalns is None:
        globalns = getattr(inspect.unwrap(source), "__globals__", {})
    for param, annotation in raw.items():
        probe = types.SimpleNamespace(__annotations__={param: annotation})
        try:
            get_type_hints(
                probe, globalns=globalns, localns=dict(localns or {}), include_extras=True
            )
        except Exception as inner:
            if isinstance(annotation, ForwardRef):  # a NamedTuple's: shown as written
                annotation = annotation.__forward_arg__
            what = "the return annotation" if param == "return" else f"parameter {param!r}"
            if isinstance(inner, InjectionError):  # a marker refused its arguments
                raise InjectionError(
                    f"In the annotation of {what} of {name}: {inner.message}",
                    path=(name,),
                    hint=inner.hint,
                ) from inner
            raise InjectionError(
                f"Cannot evaluate the annotation {safe_repr(annotation)} of {what} of {name}: "
                f"{_reason(inner)}.",
                path=(name,),
                requested=annotation if isinstance(annotation, str) else type_name(annotation),
                hint=_evaluation_hint(inner),
            ) from inner
    raise InjectionError(
        f"Cannot evaluate the annotations of {name}: {_reason(exc)}.",
        path=(name,),
        hint="check the annotations for names that are not importable at run time.",
    ) from exc


def _evaluation_hint(exc: Exception) -> str:
    """What to do about an annotation that cannot be evaluated: a missing name is the usual
    cause; anything else is code in the annotation that raised."""
    if isinstance(exc, NameError):
        return (
            "import the name at module level (not only under TYPE_CHECKING), fix its "
            "spelling, or define it before the function that uses it is decorated."
        )
    if isinstance(exc, SyntaxError):
        return "write the annotation as a valid type expression."
    return (
        "evaluating the annotation ran code that raised: write the type itself (markers "
        "go in Annotated[T, ...]), and check the calls inside the annotation."
    )


def _reason(exc: Exception) -> str:
    """Why evaluating failed: a NameError's own words, else the exception's class too."""
    if isinstance(exc, NameError):
        return exception_message(exc)
    return exception_text(exc)


def _marker_as_annotation(name: str, param_name: str, marker: Depends) -> InjectionError:
    """``db: Depends(get_db)``: read as it is, the parameter would be a value the caller
    must pass, and the call would fail far from the mistake."""
    written = safe_repr(marker)
    what = (
        "the class to provide"
        if marker.dependency is None
        else f"what {describe(marker.dependency)} gives"
    )
    return InjectionError(
        f"Parameter {param_name!r} of {name} is annotated with {written}, a marker, not a type.",
        path=(name,),
        hint=f"write `{param_name}: Annotated[T, {written}]`, T being {what} (or make the "
        f"marker the default: `{param_name}: T = {written}`).",
    )


def split_annotated(annotation: Any) -> tuple[Any, Depends | None]:
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        markers = [m for m in metadata if isinstance(m, Depends)]
        return base, (markers[-1] if markers else None)
    return annotation, None


_EMPTY = inspect.Parameter.empty
# (name, default or _EMPTY, keyword-only) for each parameter injection can fill.
_RawParameter = tuple[str, Any, bool]
# The parameters injection can fill, and whether there is a ``*args`` and a ``**kwargs``.
_RawParameters = tuple[list[_RawParameter], bool, bool]


def _code_parameters(func: Any) -> _RawParameters | None:
    """Parameters read straight from a plain function's code, or None to ask ``inspect``.

    ``inspect.signature`` is the slow part of reading a big graph; for plain functions
    and plain classes the code object says the same thing.  Anything unusual (wrapped
    functions, explicit ``__signature__``, custom ``__new__`` or metaclass, builtins,
    partials, callable objects) goes through ``inspect``.
    """
    skip = 0
    if isinstance(func, type):
        if type(func) is not type or "__signature__" in vars(func):
            return None
        if vars_lookup(func, "__new__") is not object.__new__:
            return None
        func = vars_lookup(func, "__init__")
        if func is object.__init__:
            return [], False, False
        skip = 1  # self
    if not isinstance(func, types.FunctionType):
        return None
    if hasattr(func, "__wrapped__") or hasattr(func, "__signature__"):
        return None
    code = func.__code__
    positional = code.co_argcount
    names = code.co_varnames[: positional + code.co_kwonlyargcount]
    defaults = func.__defaults__ or ()
    first_default = positional - len(defaults)
    kwdefaults = func.__kwdefaults__ or {}
    found: list[_RawParameter] = []
    for index, name in enumerate(names):
        if index < skip:
            continue
        if index < positional:
            default = defaults[index - first_default] if index >= first_default else _EMPTY
            found.append((name, default, False))
        else:
            found.append((name, kwdefaults.get(name, _EMPTY), True))
    flags = code.co_flags
    return found, bool(flags & inspect.CO_VARARGS), bool(flags & inspect.CO_VARKEYWORDS)


def _inspect_parameters(func: Any, name: str) -> tuple[_RawParameters, dict[str, Any]]:
    try:
        forwarded = _past_a_forwarding_metaclass(func) if isinstance(func, type) else None
        signature = forwarded or inspect.signature(func)
    except (ValueError, TypeError) as exc:
        raise _unreadable(name, exc, _builtin_base(func)) from exc
    found: list[_RawParameter] = []
    raw: dict[str, Any] = {}
    var_positional = var_keyword = False
    for param in signature.parameters.values():
        if param.kind is param.VAR_POSITIONAL:
            var_positional = True
            continue  # never filled by injection
        if param.kind is param.VAR_KEYWORD:
            var_keyword = True
            continue
        found.append((param.name, param.default, param.kind is param.KEYWORD_ONLY))
        if param.annotation is not _EMPTY:
            raw[param.name] = param.annotation
    if signature.return_annotation is not inspect.Signature.empty:
        raw["return"] = signature.return_annotation
    return (found, var_positional, var_keyword), raw


def read_signature(
    func: Callable[..., Any],
    localns: Mapping[str, Any] | None = None,
    evaluated: dict[tuple[str, int], tuple[Any, Any]] | None = None,
) -> Signature:
    """Read ``func`` once: its call kind, parameters (markers split out) and return type.

    ``localns`` is a fallback namespace for string annotations naming things that are not
    module globals: the locals around the ``@inject`` / ``@provider`` that started the
    graph, so that functions defined inside a function (tests!) work with
    ``from __future__ import annotations``.  ``evaluated`` caches string annotations
    already evaluated (per module), which a graph of many providers repeats.

    Whatever a user object raises while it is read (a ``__signature__`` or
    ``__annotations__`` property, a ``__getattr__``) becomes an InjectionError naming
    ``func``, with that exception as its ``__cause__``.
    """
    name = describe(func)
    if not callable(func):
        raise InjectionError(
            f"{safe_repr(func)} is not callable, so it cannot be used as a provider or handler.",
            path=(name,),
            hint="pass a function, a class or a callable object.",
        )
    try:
        return _read_signature(func, name, localns, evaluated)
    except InjectionError:
        raise
    except Exception as exc:
        raise _unreadable(name, exc) from exc


def _unreadable(name: str, exc: BaseException, base: type | None = None) -> InjectionError:
    hint = "wrap it in a small function with annotated parameters."
    if base is not None:  # class Registry(dict): pass
        hint = (
            f"{name} takes its constructor from {base.__name__}, whose parameters Python "
            f"cannot read: register a function that builds it, e.g. "
            f"container.register({name}, lambda: {name}()), or give {name} an __init__."
        )
    return InjectionError(
        f"Cannot read the signature of {name}: {exception_text(exc)}.",
        path=(name,),
        hint=hint,
    )


def _builtin_base(func: Any) -> type | None:
    """The builtin class a class takes its unreadable constructor from, if that is why."""
    if not isinstance(func, type):
        return None
    for klass in func.__mro__[1:]:
        if "__init__" in vars(klass) or "__new__" in vars(klass):
            return klass if klass.__module__ == "builtins" and klass is not object else None
    return None


def _read_signature(
    func: Callable[..., Any],
    name: str,
    localns: Mapping[str, Any] | None,
    evaluated: dict[tuple[str, int], tuple[Any, Any]] | None,
) -> Signature:
    read = _code_parameters(func)
    raw: dict[str, Any] = {}
    if read is None:
        read, raw = _inspect_parameters(func, name)
    found, var_positional, var_keyword = read
    hints = _fast_hints(func, evaluated)
    if hints is None:
        hints = _evaluate_hints(func, name, localns)
    strings = {key: value for key, value in raw.items() if isinstance(value, str)}
    if strings.keys() - hints.keys():  # a __signature__'s strings, absent from __annotations__
        hints = {**_signature_strings(func, name, strings, localns), **hints}
    parameters: list[Parameter] = []
    for param_name, raw_default, keyword_only in found:
        _check_name(name, param_name, keyword_only)
        full = unwrap_alias(hints.get(param_name, raw.get(param_name, _EMPTY)))
        annotation, marker = split_annotated(full)
        if annotation is _EMPTY:
            annotation = MISSING
        elif isinstance(annotation, Depends):  # FastAPI's `= Depends(f)` typed as `: Depends(f)`
            raise _marker_as_annotation(name, param_name, annotation)
        default = MISSING if raw_default is _EMPTY else raw_default
        if isinstance(default, Depends):
            if marker is not None:
                raise InjectionError(
                    f"Parameter {param_name!r} of {name} has Depends() both in Annotated[...] "
                    "and as its default.",
                    path=(name,),
                    hint="keep one of the two markers.",
                )
            marker, default = default, MISSING
        parameters.append(
            Parameter(
                param_name, annotation, marker, default, keyword_only, is_not_from_request(full)
            )
        )
    returns = hints.get("return", raw.get("return", MISSING))
    return Signature(
        call=func,
        name=name,
        kind=call_kind(func),
        parameters=tuple(parameters),
        returns=returns,
        var_positional=var_positional,
        var_keyword=var_keyword,
    )


def _signature_strings(
    func: Any, name: str, strings: dict[str, str], localns: Mapping[str, Any] | None
) -> dict[str, Any]:
    """String annotations of an explicit ``__signature__`` (a decorator copying a
    signature from a module with ``from __future__ import annotations``), evaluated like
    the function's own, in the module of the function it wraps: never taken as free
    parameters annotated with a string."""
    # get_type_hints follows __wrapped__ to the function whose module names it uses.
    holder = types.SimpleNamespace(__annotations__=strings, __wrapped__=_hint_source(func) or func)
    return _evaluate_hints(holder, name, localns)


def _check_name(owner: str, name: str, keyword_only: bool) -> None:
    """Refuse a parameter name that a call cannot spell.

    Only a ``__signature__`` (or a hand-made code object) can declare these.  A
    keyword-only parameter is passed by name, so its name must also survive being written
    as a keyword argument: ``__debug__=`` is a SyntaxError, and Python reads ``ﬁle=``
    (with the ``ﬁ`` ligature) as ``file=`` (NFKC), which would reach another parameter.
    """
    problem = None
    if not name.isidentifier() or keyword.iskeyword(name):
        problem = "which is not a Python name"
    elif keyword_only and name == "__debug__":
        problem = "which cannot be passed as a keyword argument"
    elif keyword_only and unicodedata.normalize("NFKC", name) != name:
        normal = unicodedata.normalize("NFKC", name)
        problem = f"which Python turns into {normal!r} when it is written in a call"
    if problem is not None:
        kind = "keyword-only parameter" if keyword_only else "parameter"
        raise InjectionError(
            f"{owner} has a {kind} named {safe_repr(name)}, {problem}.",
            path=(owner,),
            requested=name,
            hint="give the parameter a plain name (ASCII letters, digits and underscores).",
        )


def _fast_hints(
    func: Any, evaluated: dict[tuple[str, int], tuple[Any, Any]] | None
) -> dict[str, Any] | None:
    """Annotations of a plain function, string ones evaluated once per module and cached.

    None when anything needs ``get_type_hints`` (nested forward references, a name not
    in the module, a non-function source): that path also explains failures.
    """
    source = _hint_source(func)
    if source is None:
        return {}
    if not isinstance(source, types.FunctionType) or hasattr(source, "__wrapped__"):
        return None
    globalns = source.__globals__
    hints: dict[str, Any] = {}
    for key, value in (source.__annotations__ or {}).items():
        if isinstance(value, str):
            cache_key = (value, id(globalns))
            entry = evaluated.get(cache_key) if evaluated is not None else None
            if entry is not None and entry[0] is globalns:
                value = entry[1]
            else:
                try:
                    value = eval(value, globalns)  # what get_type_hints does, minus caching
                except Exception:
                    return None
                if evaluated is not None:
                    evaluated[cache_key] = (globalns, value)
        if value is None:
            value = type(None)
        if has_forward_references(value):  # ``-> "T"`` under future annotations: "'T'"
            return None
        hints[key] = value
    return hints
