"""The house's walls, read from the code's own imports: the engine stays pure, and nothing that
ships imports the developers' tooling."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("bot", "adapters")
#: what the pure engine must never reach, directly or through another module of bot/
NOT_IN_THE_ENGINE = (
    "bot.runtime",
    "bot.store",
    "bot.scheduler",
    "bot.app",
    "bot.cli",
    "adapters",
    "asyncio",
    "sqlite3",
    "aiosqlite",
    "apscheduler",
    "nio",
    "mattermostdriver",
)
DEV_ONLY = ("devkit", "tests", "pytest", "hypothesis")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth of the file (lazy imports included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _graph() -> dict[str, set[str]]:
    return {
        _module_name(path): _imports(path)
        for package in SHIPPED
        for path in (ROOT / package).rglob("*.py")
    }


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _reached_from(start: str, graph: dict[str, set[str]]) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        for name in graph.get(module, set()):
            if name in graph:
                todo.append(name)
            else:
                seen.add(name)  # a library, or a name imported from a module
    return seen


def test_the_engine_reaches_neither_runtime_store_scheduler_nor_any_platform():
    graph = _graph()
    assert "bot.engine" in graph
    reached = _reached_from("bot.engine", graph)
    assert "bot.state" in reached  # the walk does follow the engine's imports
    offending = sorted(name for name in reached if _under(name, NOT_IN_THE_ENGINE))
    assert offending == []


def test_no_shipped_module_imports_developer_tooling():
    offending = sorted(
        f"{module} imports {name}"
        for module, names in _graph().items()
        for name in names
        if _under(name, DEV_ONLY)
    )
    assert offending == []


def test_the_walk_would_see_a_forbidden_import():
    """The checks above can fail: the same walk finds a forbidden module two steps away."""
    graph = {"bot.engine": {"bot.steps"}, "bot.steps": {"bot.store"}, "bot.store": set()}
    reached = _reached_from("bot.engine", graph)
    assert [name for name in reached if _under(name, NOT_IN_THE_ENGINE)] == ["bot.store"]


def test_no_step_reaches_runtime_store_scheduler_nor_any_platform():
    """Each module of bot/steps/ is as pure as the engine that reads its table."""
    graph = _graph()
    steps = sorted(module for module in graph if _under(module, ("bot.steps",)))
    assert len(steps) > 1
    offending = sorted(
        f"{step} reaches {name}"
        for step in steps
        for name in _reached_from(step, graph)
        if _under(name, NOT_IN_THE_ENGINE)
    )
    assert offending == []


#: a module a newcomer can read in one sitting
MAX_LINES = 400


def test_no_shipped_module_is_longer_than_400_lines():
    too_long = sorted(
        f"{path.relative_to(ROOT)}: {lines} lines"
        for package in SHIPPED
        for path in (ROOT / package).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    )
    assert too_long == []
