import threading

import anyio

from injectkit import BackgroundTasks, Container

container = Container()


def resize_image(name: str) -> None:  # blocking work: runs in a worker thread
    in_worker = threading.current_thread() is not threading.main_thread()
    print(f"resized {name} (worker thread: {in_worker})")


async def notify(user: str) -> None:  # async work: runs on the event loop
    await anyio.sleep(0)
    print(f"notified {user}")


@container.inject
async def upload(name: str, tasks: BackgroundTasks) -> str:
    tasks.add_task(resize_image, name)
    tasks.add_task(notify, user="ada")
    tasks.add_task(resize_image, name=f"thumb-{name}")
    return "accepted"


async def main() -> None:
    print(await upload("cat.png"))
    print("all tasks done")


anyio.run(main)

# Output:
# resized cat.png (worker thread: True)
# notified ada
# resized thumb-cat.png (worker thread: True)
# accepted
# all tasks done
