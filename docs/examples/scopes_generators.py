from collections.abc import Iterator
from contextlib import closing

from injectkit import BackgroundTasks, Container

container = Container()


class Session:
    pass


@container.provider
def open_session() -> Iterator[Session]:
    print("session opened")
    try:
        yield Session()
    except GeneratorExit:
        print("session: stream cut short, nothing committed")
        raise
    else:
        print("session committed")
    finally:
        print("session closed")


@container.inject
def export(session: Session, tasks: BackgroundTasks, rows: int) -> Iterator[str]:
    tasks.add_task(print, "task: export logged")
    for i in range(rows):
        yield f"row {i}"


for row in export(rows=2):
    print(row)

print("--- stopped early")
with closing(export(rows=5)) as stream:
    print(next(stream))

# Output:
# session opened
# row 0
# row 1
# task: export logged
# session committed
# session closed
# --- stopped early
# session opened
# row 0
# session: stream cut short, nothing committed
# session closed
