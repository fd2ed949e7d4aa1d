"""No handler sends a message to anyone but the user who just acted.

Everything else — alerts, red flags, relayed messages, notices to a therapist or a client —
is an outbox row written with its event and sent by the dispatcher (DESIGN.md "Safety,
privacy, reliability"). This reads every `*.send_*(...)` call in bot/handlers and follows its
recipient back to the update: an attribute of the acting user or chat, a name bound from one
(or from the doors that identify the sender: `therapist_command`, `therapist_press`,
`command_sender`), or a parameter every caller fills that way.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HANDLERS = REPO / "bot" / "handlers"

# Where the acting user is read from the update.
ACTOR_ROOTS = {"update", "query", "user", "message", "chat", "press", "sender", "command"}
# Attributes that name the actor's chat on those roots.
ACTOR_IDS = {"id", "chat_id", "user_id"}
# Doors that return who is acting (handlers/common.py, handlers/therapist_access.py).
ACTOR_DOORS = {
    "therapist_command",
    "therapist_press",
    "command_sender",
    "identify_user",
    "own_chat_press",
}


@dataclass(frozen=True)
class Send:
    module: str
    function: ast.AsyncFunctionDef | ast.FunctionDef
    call: ast.Call
    recipient: ast.expr | None


def _functions(tree: ast.Module) -> Iterator[ast.AsyncFunctionDef | ast.FunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.AsyncFunctionDef, ast.FunctionDef)):
            yield node


def _recipient(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "chat_id":
            return keyword.value
    return call.args[0] if call.args else None


def _root(expr: ast.expr) -> str | None:
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _actor_names(function: ast.AsyncFunctionDef | ast.FunctionDef) -> set[str]:
    """Names bound, in this function, to the actor or to a door's answer about them."""
    names = set(ACTOR_ROOTS)
    for node in ast.walk(function):
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        value = node.value.value if isinstance(node.value, ast.Await) else node.value
        from_door = (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in ACTOR_DOORS
        )
        from_actor = isinstance(value, (ast.Name, ast.Attribute, ast.Tuple)) and all(
            _root(element) in names
            for element in (value.elts if isinstance(value, ast.Tuple) else [value])
        )
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
                # `services, who = services_of(context), query.from_user.id`: pair by pair.
                for element, part in zip(target.elts, value.elts, strict=False):
                    if isinstance(element, ast.Name) and _is_actor(part, names):
                        names.add(element.id)
                continue
            if not (from_door or from_actor):
                continue
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(element, ast.Name):
                    names.add(element.id)
    return names


def _is_actor(expr: ast.expr | None, names: set[str]) -> bool:
    if isinstance(expr, ast.Name):
        return expr.id in names
    if isinstance(expr, ast.Attribute):
        return expr.attr in ACTOR_IDS and _root(expr) in names
    return False


def _sends() -> Iterator[Send]:
    for path in sorted(HANDLERS.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for function in _functions(tree):
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr.startswith("send_")
                ):
                    yield Send(path.stem, function, node, _recipient(node))


def _dispatch_tables(tree: ast.Module, name: str) -> set[str]:
    """Module-level dicts that hold the function `name` as a value (`_OPENERS`)."""
    tables = set()
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, ast.Dict) and any(
            isinstance(v, ast.Name) and v.id == name for v in value.values
        ):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name):
                tables.add(target.id)
    return tables


def _calls_to(name: str) -> Iterator[tuple[ast.AsyncFunctionDef | ast.FunctionDef, ast.Call]]:
    """Calls of `name` in the handlers: by name, or through a dict of functions holding it."""
    for path in sorted(HANDLERS.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        tables = _dispatch_tables(tree, name)
        for function in _functions(tree):
            aliases = {name}
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, (ast.Call, ast.Subscript))
                    and _root(
                        node.value.func if isinstance(node.value, ast.Call) else node.value.value
                    )
                    in tables
                ):
                    aliases.update(t.id for t in node.targets if isinstance(t, ast.Name))
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and (
                    (isinstance(node.func, ast.Name) and node.func.id in aliases)
                    or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
                ):
                    yield function, node


def _argument(
    call: ast.Call, function: ast.AsyncFunctionDef | ast.FunctionDef, param: str
) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == param:
            return keyword.value
    params = [a.arg for a in function.args.args]
    if param not in params:
        return None
    index = params.index(param)
    return call.args[index] if index < len(call.args) else None


def _is_actor_in(
    expr: ast.expr | None, function: ast.AsyncFunctionDef | ast.FunctionDef, depth: int = 0
) -> bool:
    """`expr`, inside `function`, is the acting user's chat — directly, or as a parameter
    that every caller (followed up to a few helpers deep) fills with it."""
    if _is_actor(expr, _actor_names(function)):
        return True
    params = {a.arg for a in [*function.args.args, *function.args.kwonlyargs]}
    if depth > 3 or not isinstance(expr, ast.Name) or expr.id not in params:
        return False
    callers = list(_calls_to(function.name))
    return bool(callers) and all(
        _is_actor_in(_argument(call, function, expr.id), caller, depth + 1)
        for caller, call in callers
    )


def _reaches_only_the_actor(send: Send) -> bool:
    return _is_actor_in(send.recipient, send.function)


def test_every_handler_send_goes_to_the_user_who_acted() -> None:
    sends = list(_sends())
    assert sends, "the handlers send replies; the scan found none"
    offenders = [
        f"{s.module}.{s.function.name}: {ast.unparse(s.call.func)}"
        f"({ast.unparse(s.recipient) if s.recipient else '?'})"
        for s in sends
        if not _reaches_only_the_actor(s)
    ]
    assert offenders == []


def test_the_scan_catches_a_send_to_someone_else() -> None:
    """The rule itself: a send to a client's or therapist's id taken from a service's answer
    is refused, a send to the presser is allowed."""
    source = """
async def relay(update, context):
    user = update.effective_user
    target = await route(context, user.id)
    await context.bot.send_message(target.client_telegram_id, "hi")
    await context.bot.send_message(user.id, "sent")
"""
    function = next(_functions(ast.parse(source)))
    calls = [
        n
        for n in ast.walk(function)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "send_message"
    ]
    verdicts = [_reaches_only_the_actor(Send("x", function, c, _recipient(c))) for c in calls]
    assert verdicts == [False, True]
