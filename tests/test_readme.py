"""README.md stays true to the code: its configuration table, demo logins and make targets.

The variables are found by reading the source with `ast`, never from a list kept by hand:
`config/settings.py`, the `config` modules it imports (settings reads nothing through them
today, but a helper that did would count), and `config/gunicorn.conf.py`, which reads its own
variables before Django starts. A read counts when it goes through a `environ.Env()` instance
(`env("X")`, `env.bool("X")`, `env.db("X")`…), `os.environ.get("X")`, `os.environ["X"]` or
`os.getenv("X")`.
"""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class
from django.test import SimpleTestCase

BASE_DIR = Path(__file__).resolve().parent.parent
README = BASE_DIR / "README.md"
SETTINGS = BASE_DIR / "config" / "settings.py"
GUNICORN_CONF = BASE_DIR / "config" / "gunicorn.conf.py"
MAKEFILE = BASE_DIR / "Makefile"


def _env_instances(tree):
    """Names bound to `environ.Env()` in a module (settings calls its instance `env`)."""
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and ast.unparse(node.value.func) in ("environ.Env", "Env")
        ):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def _variable_name(node, path):
    """The variable a read names, which must be a literal to be documented."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    raise AssertionError(
        f"{path.relative_to(BASE_DIR)}:{node.lineno} reads an environment variable whose "
        f"name is not a string literal ({ast.unparse(node)}): name it literally so that "
        "README.md's configuration table can be checked against it."
    )


def variables_read(path):
    """Every environment variable the module at `path` reads, by name."""
    tree = ast.parse(path.read_text(), filename=str(path))
    env = _env_instances(tree)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            function = ast.unparse(node.func)
            on_env = function in env or (
                isinstance(node.func, ast.Attribute) and ast.unparse(node.func.value) in env
            )
            if on_env or function in ("os.environ.get", "os.getenv"):
                names.add(_variable_name(node.args[0], path))
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and ast.unparse(node.value) == "os.environ"
        ):
            names.add(_variable_name(node.slice, path))
    return names


def modules_imported_from_config(path):
    """The files of the `config.*` modules that the module at `path` imports."""
    files = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("config."):
            files.append(BASE_DIR.joinpath(*node.module.split(".")).with_suffix(".py"))
    return files


def documented_variables():
    """The names in the first column of README.md's configuration table."""
    section = README.read_text().split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell))
    return names


class ConfigurationTableTests(SimpleTestCase):
    def read_by_settings(self):
        sources = [SETTINGS, *modules_imported_from_config(SETTINGS), GUNICORN_CONF]
        return set().union(*(variables_read(source) for source in sources))

    def test_the_settings_are_found_to_read_variables(self):
        # Guards the parser: a change in how settings read the environment must not make
        # the comparison below vacuous.
        read = self.read_by_settings()
        assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CACHE_URL", "GUNICORN_BIND"} <= read

    def test_every_variable_the_settings_read_is_in_the_readme(self):
        missing = sorted(self.read_by_settings() - documented_variables())
        assert not missing, (
            "README.md's configuration table has no row for "
            + ", ".join(missing)
            + ", read by config/settings.py (or config/gunicorn.conf.py): add a row saying "
            "what each does and its default."
        )

    def test_every_variable_in_the_readme_is_read_by_the_settings(self):
        unread = sorted(documented_variables() - self.read_by_settings())
        assert not unread, (
            "README.md's configuration table lists "
            + ", ".join(unread)
            + ", which neither config/settings.py nor config/gunicorn.conf.py reads: remove "
            "the row, or rename it after the variable that is read."
        )


def make_targets():
    """The targets a reader may type: every rule in the Makefile but files and variables."""
    targets = re.findall(r"^([a-z][a-z-]*):", MAKEFILE.read_text(), re.MULTILINE)
    assert {"run", "test"} <= set(targets), f"the Makefile's targets were misread: {targets}"
    return targets


class MakeTargetTests(SimpleTestCase):
    def test_make_help_lists_every_target(self):
        if shutil.which("make") is None:
            pytest.skip("make is not installed")
        listed = subprocess.run(
            ["make", "--no-print-directory", "help"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        described = dict(re.findall(r"^  make (\S+) +(\S.*)$", listed, re.MULTILINE))
        missing = [target for target in make_targets() if target not in described]
        assert not missing, (
            f"`make help` does not list {', '.join(missing)}: give each target a "
            "`## description` after its prerequisites in the Makefile."
        )

    def test_the_readme_names_every_target(self):
        readme = README.read_text()
        unnamed = [target for target in make_targets() if f"make {target}" not in readme]
        assert not unnamed, f"README.md never mentions `make {'`, `make '.join(unnamed)}`."


def demo_staff():
    """The staff accounts `manage.py load_demo_content` makes, wherever the command lives."""
    command = load_command_class(get_commands()["load_demo_content"], "load_demo_content")
    return sys.modules[type(command).__module__].STAFF


class DemoLoginTests(SimpleTestCase):
    def test_the_readme_lists_every_demo_login(self):
        staff = demo_staff()
        assert staff
        rows = README.read_text()
        missing = [
            spec.username
            for spec in staff
            if f"| {spec.group} | `{spec.username}` | `{spec.password}` |" not in rows
        ]
        assert not missing, (
            f"README.md's demo logins table has no row (role | username | password) for "
            f"{', '.join(missing)}, made by manage.py load_demo_content."
        )
