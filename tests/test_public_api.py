"""The public surface: ``injectkit.__all__`` is exactly what the package exports."""

import types

import injectkit


def test_all_lists_every_public_name() -> None:
    """Every public attribute (not a submodule) is in __all__, and __all__ names exist."""
    public = {
        name
        for name, value in vars(injectkit).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(injectkit.__all__)


def test_public_classes_show_the_package_as_their_module() -> None:
    """Reprs and tracebacks name injectkit.X, not a private module."""
    for name in injectkit.__all__:
        obj = getattr(injectkit, name)
        if isinstance(obj, type):
            assert obj.__module__ == "injectkit", name


def test_design_names_are_exported() -> None:
    """The names DESIGN.md fixes are importable from the package."""
    from injectkit import (  # noqa: F401
        BackgroundTasks,
        CircularDependencyError,
        Container,
        Depends,
        InjectionError,
        Scope,
        ScopeError,
        UnresolvableDependencyError,
        inject,
    )

    assert Scope.APP == "app" and Scope.REQUEST == "request"
    assert Scope.FUNCTION == "function" and Scope.TRANSIENT == "transient"
    for error in (CircularDependencyError, ScopeError, UnresolvableDependencyError):
        assert issubclass(error, InjectionError)
    assert isinstance(injectkit.default_container, Container)
