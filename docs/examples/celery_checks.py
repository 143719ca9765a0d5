"""add_task checks a Celery task's call in the request, before anything is sent."""

from celery import Celery

from injectkit import BackgroundTasks, Container, InjectionError
from injectkit.integrations.celery import inject, setup

celery_app = Celery("shop", broker="redis://127.0.0.1:6379/0")  # nothing is sent here
container = Container()
setup(celery_app, container)


class Mailer:
    def send(self, user_id: int) -> None: ...


container.register(Mailer)


@inject(celery_app)
def send_report(user_id: int, mailer: Mailer) -> None:
    mailer.send(user_id)


@container.inject
def handler(tasks: BackgroundTasks, call: str) -> None:
    if call == "unknown parameter":
        tasks.add_task(send_report, user=1)
    elif call == "not JSON":
        tasks.add_task(send_report, {1, 2})
    else:  # defined in __main__, as this file runs: no worker can import it
        tasks.add_task(send_report, 1)


for call in ("unknown parameter", "not JSON", "fine, but in __main__"):
    try:
        handler(call=call)
    except InjectionError as error:
        print(f"{call}: {error}\n")

# Output:
# unknown parameter: send_report got unexpected keyword argument(s) user:
# no free parameter of its graph has that name.
#   chain: send_report
#   hint: 'user': did you mean 'user_id'? The names a call may pass are: user_id.
#         Injected parameters cannot be passed by the caller; to replace a
#         dependency, override it.
#
# not JSON: Celery task shop.send_report cannot be sent: its
# serializer (json) cannot encode the arguments ({1, 2},) {} (EncodeError: Object
# of type set is not JSON serializable).
#   chain: shop.send_report
#   hint: pass plain values (ids, strings, numbers) and load the rest in the task,
#         where its dependencies are injected.
#
# fine, but in __main__: Celery task shop.send_report cannot be found by the
# worker: it is not importable as __main__.send_report.
#   chain: shop.send_report
#   hint: define the task at the top level of a module the worker imports (not
#         inside a function, not in __main__).
#
