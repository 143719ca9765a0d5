"""The web side: the send_notification handler of FastAPI's example, its task sent to Celery.

Run it next to a worker (see notifications.py)::

    export BROKER_URL=redis://127.0.0.1:6379/0
    uvicorn app:app

``tasks.add_task(write_notification, email, message=...)`` is the call in FastAPI's example; because
``write_notification`` is a Celery task made by injectkit, it is checked at once and sent
to the broker after the response, once the request's finalizers have run.  Only the
e-mail and the message travel; the worker resolves the rest.
"""

from __future__ import annotations

from fastapi import FastAPI
from notifications import container, write_notification

from injectkit import BackgroundTasks
from injectkit.integrations.fastapi import inject, setup

app = FastAPI()


@app.post("/send-notification/{email}")
@inject
async def send_notification(email: str, background_tasks: BackgroundTasks) -> dict[str, str]:
    background_tasks.add_task(write_notification, email, message="some notification")
    return {"message": "Notification sent in the background"}


setup(app, container)
