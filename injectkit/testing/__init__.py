"""Tools for testing code that uses injectkit; none of them needs pytest.

* :func:`override` — replace several providers for a ``with`` block (values built from
  them, app-scoped ones included, are rebuilt; the originals come back after).
* :func:`fake`, :func:`fake_resource` — stand-in providers a test can inspect.
* :func:`call_provider` — run one provider with some of its inputs given.
* :func:`record` — which providers ran, which finalizers ran, which background tasks were
  queued (captured instead of run, by default); :func:`queued` spells a task to compare.
* :func:`explain`, :func:`unused_providers` — what a handler pulls in; what nothing uses.

The pytest plugin (``injectkit.testing._plugin``, loaded automatically once injectkit is
installed) builds its fixtures on these; see docs/testing.md.
"""

import contextlib as _contextlib

from ._explain import Explanation, ProviderInfo, explain, unused_providers
from ._fakes import Fake, FakeResource, fake, fake_resource
from ._isolated import call_provider, call_provider_sync
from ._overrides import override
from ._queued import queued
from ._recorder import Event, Recorder, record

__all__ = [
    "Event",
    "Explanation",
    "Fake",
    "FakeResource",
    "ProviderInfo",
    "Recorder",
    "call_provider",
    "call_provider_sync",
    "explain",
    "fake",
    "fake_resource",
    "override",
    "queued",
    "record",
    "unused_providers",
]

# Show the public home of each name in reprs and tracebacks, as injectkit does.
for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("injectkit.testing._"):
        with _contextlib.suppress(AttributeError, TypeError):
            _obj.__module__ = __name__
del _name, _obj
