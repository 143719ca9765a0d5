from typing import Annotated

from injectkit import BackgroundTasks, Container, Depends

container = Container()


class Mailer:
    def send(self, to: str, text: str) -> None:
        print(f"mail to {to}: {text}")


container.register(Mailer, scope="app")


def get_user(user_id: int) -> str:
    return f"user{user_id}"


@container.inject
def signup(user: Annotated[str, Depends(get_user)], mailer: Mailer, tasks: BackgroundTasks) -> str:
    tasks.add_task(mailer.send, user, "welcome")  # runs after the call, with its request
    return f"signed up {user}"


print(container.plan_source(signup))
print(signup(user_id=7))

# Output:
# def run(state, args, kw):
#     if args:
#         kw = bind(args, kw)
#     elif kw and not accepted.issuperset(kw):
#         check_kwargs(kw)
#     f0 = kw.get(fn0, fd0)
#     if f0 is MISSING:
#         missing0()
#     scope = state[META]
#     if scope is None or scope is BARE_SYNC:
#         scope = adopt(state)
#     bt = scope._tasks
#     if bt is None:
#         bt = scope._tasks = BackgroundTasks()
#     cache = state
#     if len(state) > 1:  # values beside META: a request in use
#         return join(state, (), kw)
#     v0 = c0(f0)
#     cache[k0] = v0
#     v1 = app_get(k1, MISSING)
#     if v1 is MISSING:
#         v1 = build1()
#     return c2(v0, v1, bt)
#
# def join(state, args, kw):
#     if args:
#         kw = bind(args, kw)
#     elif kw and not accepted.issuperset(kw):
#         check_kwargs(kw)
#     f0 = kw.get(fn0, fd0)
#     if f0 is MISSING:
#         missing0()
#     scope = state[META]
#     if scope is None or scope is BARE_SYNC:
#         scope = adopt(state)
#     bt = scope._tasks
#     if bt is None:
#         bt = scope._tasks = BackgroundTasks()
#     cache = state
#     cache_get = cache.get
#     v0 = cache_get(k0, MISSING)
#     h0 = v0 is not MISSING
#     if not h0:
#         v0 = c0(f0)
#         cache[k0] = v0
#     v1 = app_get(k1, MISSING)
#     if v1 is MISSING:
#         v1 = build1()
#     return c2(v0, v1, bt)
#
# mail to user7: welcome
# signed up user7
