import threading
from typing import Annotated

import anyio

from injectkit import Container, Depends

container = Container()


class Report:
    def __init__(self) -> None:  # imagine slow, blocking work here
        self.thread = threading.current_thread().name


def thread_name() -> str:
    return threading.current_thread().name


container.register(Report, offload=True)  # run in a worker thread under async calls


@container.inject
async def handler(name: Annotated[str, Depends(thread_name)], report: Report) -> None:
    here = threading.current_thread().name
    print("sync dependency ran in the caller's thread:", name == here)
    print("offloaded provider ran in a worker thread:", report.thread != here)


anyio.run(handler)

# Output:
# sync dependency ran in the caller's thread: True
# offloaded provider ran in a worker thread: True
