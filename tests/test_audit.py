"""tools/audit.py: the decision on pip-audit's JSON, from recorded samples (no network, no pip-audit).

The samples have the shape pip-audit 2.10 prints with `--format json --desc on --aliases on`:
{"dependencies": [{"name", "version", "vulns": [{"id", "fix_versions", "aliases", "description"}]}
or {"name", "skip_reason"}], "fixes": []}. SKIPPED is what it printed on this machine, where no
vulnerability database can be reached.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from tools import audit

LOCK = """\
aiohttp==3.9.5
multidict==5.2.0
scikit-learn==1.1.3
torch==2.13.0+cpu
"""

CLEAN = json.dumps({"dependencies": [
    {"name": "aiohttp", "version": "3.13.5", "vulns": []},
    {"name": "multidict", "version": "5.2.0", "vulns": []},
    {"name": "scikit-learn", "version": "1.1.3", "vulns": []},
    {"name": "torch", "version": "2.13.0", "vulns": []},
], "fixes": []})

SKIPPED = json.dumps({"dependencies": [
    {"name": "aiohttp", "skip_reason": "Dependency not found on PyPI and could not be audited: aiohttp (3.9.5)"},
    {"name": "multidict", "skip_reason": "Dependency not found on PyPI and could not be audited: multidict (5.2.0)"},
    {"name": "scikit-learn", "skip_reason": "Dependency not found on PyPI and could not be audited: scikit-learn (1.1.3)"},
    {"name": "torch", "skip_reason": "Dependency not found on PyPI and could not be audited: torch (2.13.0)"},
], "fixes": []})

SKLEARN_VULN = {
    "id": "PYSEC-2024-110", "fix_versions": ["1.5.0"], "aliases": ["GHSA-jw8x-6495-233v", "CVE-2024-5206"],
    "description": "A sensitive data leakage vulnerability was identified in scikit-learn's TfidfVectorizer ...",
}
AIOHTTP_VULN = {
    "id": "GHSA-6mq8-rvhq-8wgg", "fix_versions": ["3.13.3"], "aliases": ["CVE-2025-69223"],
    "description": "AIOHTTP's HTTP Parser auto_decompress feature is vulnerable to zip bomb ...",
}


def with_vulns(aiohttp_vulns, sklearn_vulns) -> str:
    return json.dumps({"dependencies": [
        {"name": "aiohttp", "version": "3.9.5", "vulns": aiohttp_vulns},
        {"name": "multidict", "version": "5.2.0", "vulns": []},
        {"name": "scikit-learn", "version": "1.1.3", "vulns": sklearn_vulns},
        {"name": "torch", "version": "2.13.0", "vulns": []},
    ], "fixes": []})


EXCEPTIONS = audit.parse_exceptions({"exceptions": [
    {"id": "GHSA-jw8x-6495-233v", "package": "scikit-learn", "reason": "stop_words_ is never persisted",
     "reviewed": dt.date(2026, 11, 29)},
]})
TODAY = dt.date(2026, 12, 1)


def verdict(report: str, exceptions=EXCEPTIONS, lock: str = LOCK) -> audit.Verdict:
    return audit.judge(audit.parse_report(report), audit.read_lock(lock), exceptions, today=TODAY)


def test_clean_report_passes():
    result = verdict(CLEAN)
    assert (result.audited, result.pinned, result.findings, result.problems) == (4, 4, [], [])
    assert result.exit_code == audit.EXIT_OK
    assert "audit passed" in audit.render(result)


def test_skipped_packages_fail_loudly_and_never_read_clean():
    result = verdict(SKIPPED)
    assert result.exit_code == audit.EXIT_INCOMPLETE
    assert result.audited == 0 and len(result.skipped) == 4
    text = audit.render(result)
    assert "AUDIT FAILED: INCOMPLETE" in text and "NOT a clean result" in text
    assert "nothing was checked" in text
    assert "No known vulnerabilities" not in text and "no known vulnerabilities" not in text


def test_one_skipped_package_is_enough_to_fail():
    data = json.loads(CLEAN)
    data["dependencies"][3] = {"name": "torch", "skip_reason": "Dependency not found on PyPI and could not be audited: torch (2.13.0+cpu)"}
    result = verdict(json.dumps(data))
    assert result.exit_code == audit.EXIT_INCOMPLETE
    assert result.skipped == [("torch", "Dependency not found on PyPI and could not be audited: torch (2.13.0+cpu)")]


def test_fewer_audited_than_pinned_fails():
    data = json.loads(CLEAN)
    del data["dependencies"][1]  # multidict absent from the report
    result = verdict(json.dumps(data))
    assert result.exit_code == audit.EXIT_INCOMPLETE
    assert result.missing == ["multidict"]
    assert any("only 3 packages were audited, the lock pins 4" in p for p in result.problems)


def test_accepted_vulnerability_passes_matched_by_alias():
    result = verdict(with_vulns([], [SKLEARN_VULN]))
    assert result.exit_code == audit.EXIT_OK
    [finding] = result.findings
    assert finding.accepted is not None and finding.id == "PYSEC-2024-110"
    assert "accepted" in audit.render(result)


def test_unaccepted_vulnerability_fails_and_is_in_the_table():
    result = verdict(with_vulns([AIOHTTP_VULN], [SKLEARN_VULN]))
    assert result.exit_code == audit.EXIT_VULNERABLE
    assert [f.id for f in result.unaccepted] == ["GHSA-6mq8-rvhq-8wgg"]
    text = audit.render(result)
    assert "GHSA-6mq8-rvhq-8wgg" in text and "NOT ACCEPTED" in text and "3.13.3" in text
    assert "AUDIT FAILED: 1 known vulnerabilities are not accepted" in text


def test_an_exception_for_another_package_does_not_apply():
    other = audit.parse_exceptions({"exceptions": [
        {"id": "GHSA-6mq8-rvhq-8wgg", "package": "yarl", "reason": "wrong package", "reviewed": "2026-11-29"}]})
    result = verdict(with_vulns([AIOHTTP_VULN], []), exceptions=other)
    assert result.exit_code == audit.EXIT_VULNERABLE
    assert [a.package for a in result.stale] == ["yarl"]


def test_incomplete_outranks_vulnerable():
    data = json.loads(with_vulns([AIOHTTP_VULN], []))
    data["dependencies"][1] = {"name": "multidict", "skip_reason": "Dependency not found on PyPI"}
    assert verdict(json.dumps(data)).exit_code == audit.EXIT_INCOMPLETE


def test_old_review_is_reported_as_due():
    old = audit.parse_exceptions({"exceptions": [
        {"id": "CVE-2024-5206", "package": "scikit_learn", "reason": "r", "reviewed": "2025-01-02"}]})
    result = verdict(with_vulns([], [SKLEARN_VULN]), exceptions=old)
    assert result.exit_code == audit.EXIT_OK
    assert "review due: CVE-2024-5206" in audit.render(result)


@pytest.mark.parametrize("text", ["", "   ", "Traceback (most recent call last):\n  ...ConnectionError", "{}", "[1, 2]"])
def test_no_usable_json_is_an_error(text):
    with pytest.raises(audit.AuditError):
        audit.parse_report(text)


@pytest.mark.parametrize("entry, message", [
    ({"id": "X", "package": "p", "reviewed": "2026-01-01"}, "missing reason"),
    ({"id": "X", "package": "p", "reason": "r", "reviewed": "last week"}, "must be a date"),
    ({"id": "X", "package": "p", "reason": " ", "reviewed": "2026-01-01"}, "missing reason"),
])
def test_malformed_exceptions_are_refused(entry, message):
    with pytest.raises(audit.AuditError, match=message):
        audit.parse_exceptions({"exceptions": [entry]})


def test_duplicate_exception_is_refused():
    entry = {"id": "X", "package": "p", "reason": "r", "reviewed": "2026-01-01"}
    with pytest.raises(audit.AuditError, match="listed twice"):
        audit.parse_exceptions({"exceptions": [entry, dict(entry)]})


def test_lock_reading_counts_pins_and_rewrites_local_versions():
    lock = audit.read_lock("# comment\nAiohttp==3.9.5\nsome_pkg==1.0  # why\n\nunpinned>=1\n--hash=sha256:abc\ntorch==2.13.0+cpu\n")
    assert lock.pins == {"aiohttp": "3.9.5", "some-pkg": "1.0", "torch": "2.13.0+cpu"}
    assert lock.pinned_lines == 3 and lock.unpinned == ["unpinned>=1"]
    text, rewritten = audit.audit_requirements(lock)
    assert "torch==2.13.0\n" in text and rewritten == {"torch": "2.13.0+cpu -> 2.13.0"}


def test_unpinned_lock_line_makes_the_audit_incomplete():
    result = verdict(CLEAN, lock=LOCK + "requests>=2\n")
    assert result.exit_code == audit.EXIT_INCOMPLETE
    assert result.unpinned == ["requests>=2"]


def test_project_files_are_consistent():
    """The real lock is fully pinned and the real exceptions file parses."""
    lock = audit.read_lock(audit.LOCK.read_text(encoding="utf-8"))
    assert lock.unpinned == [] and lock.pinned_lines == len(lock.pins) > 100
    accepted = audit.load_exceptions(audit.EXCEPTIONS)
    assert all(item.package in lock.pins for item in accepted), "an exception names a package the lock does not pin"


def _main_on(tmp_path, report: str, exceptions: "str | None" = None) -> int:
    """`python -m tools.audit` on recorded files (no exceptions file when `exceptions` is None)."""
    (tmp_path / "lock.txt").write_text(LOCK)
    (tmp_path / "report.json").write_text(report)
    if exceptions is not None:
        (tmp_path / "exceptions.yml").write_text(exceptions)
    return audit.main(["--lock", str(tmp_path / "lock.txt"), "--exceptions", str(tmp_path / "exceptions.yml"),
                       "--report", str(tmp_path / "report.json")])


def test_main_on_a_recorded_report(tmp_path, capsys):
    assert _main_on(tmp_path, SKIPPED, "exceptions: []\n") == audit.EXIT_INCOMPLETE
    assert "audited 0 of 4 pinned packages" in capsys.readouterr().out


def test_main_when_pip_audit_printed_nothing(tmp_path, capsys):
    assert _main_on(tmp_path, "") == audit.EXIT_INCOMPLETE
    assert "could not be reached" in capsys.readouterr().err
