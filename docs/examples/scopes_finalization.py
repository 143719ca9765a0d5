from collections.abc import Iterator
from typing import Annotated

from injectkit import BackgroundTasks, Container, Depends

container = Container()


def lifecycle(name: str) -> Iterator[str]:
    print(f"  open {name}")
    try:
        yield name
    except Exception as exc:
        print(f"  close {name}, saw {exc!r}")
        raise  # react (roll back, log), then let it go on
    else:
        print(f"  close {name}")


def first() -> Iterator[str]:
    yield from lifecycle("first")


def second() -> Iterator[str]:
    yield from lifecycle("second")


def per_call() -> Iterator[str]:
    yield from lifecycle("per_call")


def report() -> None:
    print("  background task")


@container.inject
def handler(
    a: Annotated[str, Depends(first)],
    b: Annotated[str, Depends(second)],
    c: Annotated[str, Depends(per_call, scope="function")],
    tasks: BackgroundTasks,
    fail: bool = False,
) -> str:
    tasks.add_task(report)
    if fail:
        raise ValueError("handler failed")
    print("  handler returns")
    return "ok"


print("success:")
handler()
print("failure:")
try:
    handler(fail=True)
except ValueError as exc:
    print(f"caller got {exc!r}")

# Output:
# success:
#   open first
#   open second
#   open per_call
#   handler returns
#   close per_call
#   background task
#   close second
#   close first
# failure:
#   open first
#   open second
#   open per_call
#   close per_call, saw ValueError('handler failed')
#   close second, saw ValueError('handler failed')
#   close first, saw ValueError('handler failed')
# caller got ValueError('handler failed')
