import anyio

from injectkit import BackgroundTasks, Container

container = Container()


def write_notification(email: str, message: str = "") -> None:
    # FastAPI's example writes to log.txt; printing shows when it happens.
    print(f"notification for {email}: {message}")


@container.inject
async def send_notification(email: str, background_tasks: BackgroundTasks) -> dict[str, str]:
    background_tasks.add_task(write_notification, email, message="some notification")
    print("handler returns")
    return {"message": "Notification sent in the background"}


async def main() -> None:
    print(await send_notification("ada@example.com"))


anyio.run(main)

# Output:
# handler returns
# notification for ada@example.com: some notification
# {'message': 'Notification sent in the background'}
