"""``resolve(T)``, read as a function of one parameter annotated ``T``.

The graph builder, the validation and the compiler then treat it like any injected
function; only the wording of its errors differs (the user never wrote that parameter).
"""

from __future__ import annotations

from typing import Any

from ._aliases import unwrap_alias
from ._introspect import MISSING, CallKind, Parameter, Signature, split_annotated, type_name

__all__ = ["is_resolver", "resolver_signature"]


def _resolved(value: Any) -> Any:
    return value


def resolver_signature(tp: Any) -> Signature:
    """The signature ``resolve(tp)`` is built from.  ``tp``'s metadata is read as a
    parameter's is: ``type DB = Annotated[Session, Depends(get_db)]`` calls get_db, other
    ``Annotated`` metadata is ignored."""
    base, marker = split_annotated(unwrap_alias(tp))
    return Signature(
        call=_resolved,
        name=f"resolve({type_name(tp)})",
        kind=CallKind.SYNC,
        parameters=(Parameter("value", base, marker, MISSING, False),),
        returns=base,
    )


def is_resolver(signature: Signature | None) -> bool:
    """Whether ``signature`` is one :func:`resolver_signature` built."""
    return signature is not None and signature.call is _resolved
