"""`python -m tools.audit` (`make audit`): pip-audit over the lock, and an answer that tells the truth.

pip-audit alone prints "No known vulnerabilities found" and exits 0 even when it checked nothing:
without a reachable vulnerability database every package is "skipped" (PyPI answers 404, or the
request fails) and the summary still reads clean. This wrapper runs

    pip-audit --no-deps --disable-pip -r requirements/lock.txt --format json ...

(pip-audit lives in its own virtualenv, .venv-audit/, made by `make audit`: its dependencies
would upgrade packages Rasa needs), reads the JSON and fails loudly (exit 2) when

  * pip-audit produced no JSON (the vulnerability service could not be reached, or pip-audit
    failed), or
  * any package was skipped, or
  * fewer packages were audited than the lock pins, or a pinned package is missing from the
    report;

and fails (exit 1) when a known vulnerability is not listed in requirements/audit-exceptions.yml
(entries: id, package, reason, reviewed). It exits 0 only when every pinned package was checked
and every finding is an accepted exception. Findings are printed as a table either way.

A local version label (`torch==2.13.0+cpu`) is not a release on PyPI, so pip-audit would skip
it: such pins are audited as the public release they are built from (`torch==2.13.0`), and the
output says so.

    python -m tools.audit [--lock requirements/lock.txt] [--exceptions requirements/audit-exceptions.yml]
                          [--pip-audit .venv-audit/bin/pip-audit] [--service pypi|osv]
                          [--report FILE]   # judge a recorded pip-audit JSON instead of running it
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"
EXCEPTIONS = ROOT / "requirements" / "audit-exceptions.yml"

EXIT_OK, EXIT_VULNERABLE, EXIT_INCOMPLETE = 0, 1, 2
REVIEW_AGE_DAYS = 180  # an accepted advisory older than this is printed as due for review

_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)")


class AuditError(Exception):
    """The audit could not be judged (bad input): reported as an incomplete audit."""


def canonical(name: str) -> str:
    """PEP 503 name normalisation, as pip-audit reports names."""
    return re.sub(r"[-_.]+", "-", name).lower()


# -- the lock ----------------------------------------------------------------------------------
@dataclass
class Lock:
    pins: Dict[str, str]            # canonical name -> version as written in the lock
    unpinned: List[str] = field(default_factory=list)  # requirement lines without `==`
    pinned_lines: int = 0           # lines of the form name==version (a name pinned twice counts twice)


def read_lock(text: str) -> Lock:
    pins: Dict[str, str] = {}
    unpinned: List[str] = []
    count = 0
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#") or line.startswith("-"):
            continue  # comments and pip options (-r, --hash continuation, ...)
        match = _PIN.match(line)
        if not match:
            unpinned.append(line)
            continue
        pins[canonical(match.group(1))] = match.group(2)
        count += 1
    return Lock(pins, unpinned, count)


def audit_requirements(lock: Lock) -> Tuple[str, Dict[str, str]]:
    """The requirements text handed to pip-audit, and {name: 'x+local -> x'} for each rewritten pin."""
    lines, rewritten = [], {}
    for name, version in sorted(lock.pins.items()):
        public = version.split("+", 1)[0]
        if public != version:
            rewritten[name] = f"{version} -> {public}"
        lines.append(f"{name}=={public}")
    return "\n".join(lines) + "\n", rewritten


# -- accepted advisories -----------------------------------------------------------------------
@dataclass(frozen=True)
class AcceptedAdvisory:
    id: str
    package: str
    reason: str
    reviewed: dt.date


def parse_exceptions(data: object) -> List[AcceptedAdvisory]:
    """requirements/audit-exceptions.yml, already parsed: {'exceptions': [ {id, package, reason, reviewed}, ... ]}."""
    if data is None:
        return []
    entries = data.get("exceptions") if isinstance(data, dict) else None
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise AuditError("audit exceptions: 'exceptions' must be a list")
    accepted, seen = [], set()
    for number, entry in enumerate(entries, 1):
        where = f"audit exceptions entry {number}"
        if not isinstance(entry, dict):
            raise AuditError(f"{where}: not a mapping")
        missing = [key for key in ("id", "package", "reason", "reviewed") if not str(entry.get(key) or "").strip()]
        if missing:
            raise AuditError(f"{where} ({entry.get('id', '?')}): missing {', '.join(missing)}")
        reviewed = entry["reviewed"]
        if isinstance(reviewed, dt.datetime):
            reviewed = reviewed.date()
        elif not isinstance(reviewed, dt.date):
            try:
                reviewed = dt.date.fromisoformat(str(reviewed).strip())
            except ValueError:
                raise AuditError(f"{where} ({entry['id']}): reviewed must be a date (YYYY-MM-DD)") from None
        item = AcceptedAdvisory(str(entry["id"]).strip(), canonical(str(entry["package"])), str(entry["reason"]).strip(), reviewed)
        key = (item.id.upper(), item.package)
        if key in seen:
            raise AuditError(f"{where}: {item.id} for {item.package} is listed twice")
        seen.add(key)
        accepted.append(item)
    return accepted


def load_exceptions(path: Path) -> List[AcceptedAdvisory]:
    if not path.exists():
        return []
    import yaml  # PyYAML: in .venv-audit (make audit) and in .venv (tests)

    try:
        return parse_exceptions(yaml.safe_load(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as error:
        raise AuditError(f"{path}: not valid YAML ({error})") from None


# -- pip-audit's report ------------------------------------------------------------------------
@dataclass
class Finding:
    package: str
    version: str
    id: str
    aliases: Tuple[str, ...]
    fix_versions: Tuple[str, ...]
    description: str = ""
    accepted: Optional[AcceptedAdvisory] = None

    @property
    def ids(self) -> Tuple[str, ...]:
        return (self.id,) + self.aliases


@dataclass
class Verdict:
    audited: int
    pinned: int
    skipped: List[Tuple[str, str]]          # (package, pip-audit's reason)
    missing: List[str]                      # pinned in the lock, absent from the report
    unpinned: List[str]                     # lock lines pip-audit cannot audit with --no-deps
    findings: List[Finding]
    stale: List[AcceptedAdvisory]           # accepted advisories that matched nothing
    due: List[AcceptedAdvisory]             # accepted advisories reviewed long ago
    problems: List[str] = field(default_factory=list)

    @property
    def incomplete(self) -> bool:
        return bool(self.problems)

    @property
    def unaccepted(self) -> List[Finding]:
        return [f for f in self.findings if f.accepted is None]

    @property
    def exit_code(self) -> int:
        if self.incomplete:
            return EXIT_INCOMPLETE
        return EXIT_VULNERABLE if self.unaccepted else EXIT_OK


def parse_report(text: str) -> List[dict]:
    """The `dependencies` of pip-audit's JSON (`--format json`); AuditError when it is not that."""
    if not text or not text.strip():
        raise AuditError("pip-audit printed no JSON report")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise AuditError(f"pip-audit's output is not JSON ({error})") from None
    if isinstance(data, list):  # pip-audit < 2.0 printed a bare list
        data = {"dependencies": data}
    dependencies = data.get("dependencies") if isinstance(data, dict) else None
    if not isinstance(dependencies, list):
        raise AuditError("pip-audit's JSON has no 'dependencies' list")
    for dependency in dependencies:
        if not isinstance(dependency, dict) or "name" not in dependency:
            raise AuditError(f"pip-audit's JSON has a dependency without a name: {dependency!r}")
    return dependencies


def judge(dependencies: Sequence[dict], lock: Lock, accepted: Iterable[AcceptedAdvisory],
          today: Optional[dt.date] = None) -> Verdict:
    today = today or dt.date.today()
    accepted = list(accepted)
    skipped: List[Tuple[str, str]] = []
    findings: List[Finding] = []
    reported = set()
    for dependency in dependencies:
        name = canonical(dependency["name"])
        reported.add(name)
        if "skip_reason" in dependency or "version" not in dependency:
            skipped.append((name, str(dependency.get("skip_reason") or "no version in the report")))
            continue
        for vuln in dependency.get("vulns") or []:
            findings.append(Finding(
                package=name, version=str(dependency["version"]), id=str(vuln.get("id", "?")),
                aliases=tuple(str(a) for a in vuln.get("aliases") or ()),
                fix_versions=tuple(str(v) for v in vuln.get("fix_versions") or ()),
                description=" ".join(str(vuln.get("description") or "").split()),
            ))
    used = set()
    for finding in findings:
        ids = {i.upper() for i in finding.ids}
        for item in accepted:
            if item.package == finding.package and item.id.upper() in ids:
                finding.accepted = item
                used.add(item)
                break
    audited = len(reported) - len(skipped)
    missing = sorted(set(lock.pins) - reported)
    verdict = Verdict(
        audited=audited, pinned=lock.pinned_lines, skipped=skipped, missing=missing, unpinned=list(lock.unpinned),
        findings=findings, stale=[a for a in accepted if a not in used],
        due=[a for a in accepted if a in used and (today - a.reviewed).days > REVIEW_AGE_DAYS],
    )
    if skipped:
        every = " (every package: nothing was checked, the vulnerability service was most likely unreachable)" \
            if audited == 0 else ""
        verdict.problems.append(f"{len(skipped)} of {len(reported)} packages were SKIPPED, not audited{every}")
    if lock.unpinned:
        verdict.problems.append(f"{len(lock.unpinned)} lock lines are not pinned with == and cannot be audited")
    if missing:
        verdict.problems.append(f"{len(missing)} pinned packages are missing from pip-audit's report")
    if audited < lock.pinned_lines:
        verdict.problems.append(f"only {audited} packages were audited, the lock pins {lock.pinned_lines}")
    return verdict


# -- output ------------------------------------------------------------------------------------
def _table(rows: List[Sequence[str]], header: Sequence[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def render(verdict: Verdict, rewritten: Optional[Dict[str, str]] = None) -> str:
    out: List[str] = []
    for name, change in sorted((rewritten or {}).items()):
        out.append(f"note: {name} {change}: a local build is audited as the public release it is built from")
    if verdict.findings:
        rows = [[f.package, f.version, f.id, ", ".join(a for a in f.aliases if a != f.id) or "-",
                 ", ".join(f.fix_versions) or "none", "accepted" if f.accepted else "NOT ACCEPTED"]
                for f in sorted(verdict.findings, key=lambda f: (f.accepted is not None, f.package, f.id))]
        out.append(_table(rows, ["package", "version", "advisory", "aliases", "fixed in", "status"]))
    elif verdict.audited == 0:
        out.append("no package was audited: there is no vulnerability information at all")
    else:
        out.append(f"no known vulnerabilities in the {verdict.audited} audited packages")
    for finding in verdict.unaccepted:
        if finding.description:
            out.append(f"  {finding.package} {finding.id}: {finding.description[:300]}")
    for item in verdict.due:
        out.append(f"review due: {item.id} ({item.package}) was accepted on {item.reviewed}, over {REVIEW_AGE_DAYS} days ago")
    for item in verdict.stale:
        out.append(f"note: accepted {item.id} ({item.package}) matched no finding: remove it from the exceptions if it is fixed")
    for name, reason in verdict.skipped[:20]:
        out.append(f"SKIPPED {name}: {reason}")
    if len(verdict.skipped) > 20:
        out.append(f"SKIPPED ... and {len(verdict.skipped) - 20} more")
    for name in verdict.missing[:20]:
        out.append(f"MISSING {name}: pinned in the lock, not in pip-audit's report")
    for line in verdict.unpinned[:20]:
        out.append(f"UNPINNED {line}")
    accepted = len(verdict.findings) - len(verdict.unaccepted)
    summary = (f"audited {verdict.audited} of {verdict.pinned} pinned packages; "
               f"{len(verdict.findings)} known vulnerabilities ({accepted} accepted, {len(verdict.unaccepted)} not accepted)")
    out.append(summary)
    if verdict.incomplete:
        out.append("AUDIT FAILED: INCOMPLETE. This is NOT a clean result: " + "; ".join(verdict.problems) + ".")
        out.append("Run `make audit` where PyPI's / OSV's vulnerability database can be reached.")
    elif verdict.unaccepted:
        out.append(f"AUDIT FAILED: {len(verdict.unaccepted)} known vulnerabilities are not accepted in "
                   f"requirements/audit-exceptions.yml: upgrade, or review and record them there.")
    else:
        out.append("audit passed: every pinned package was checked; every finding is an accepted exception")
    return "\n".join(out)


# -- running pip-audit -------------------------------------------------------------------------
def pip_audit_command(pip_audit: str, requirements: Path, service: str) -> List[str]:
    return [pip_audit, "--no-deps", "--disable-pip", "-r", str(requirements), "--format", "json",
            "--vulnerability-service", service, "--desc", "on", "--aliases", "on", "--progress-spinner", "off"]


def run_pip_audit(pip_audit: str, requirements_text: str, service: str, timeout: float = 1800) -> Tuple[int, str, str]:
    with tempfile.TemporaryDirectory(prefix="audit-") as tmp:
        requirements = Path(tmp) / "lock.txt"
        requirements.write_text(requirements_text, encoding="utf-8")
        command = pip_audit_command(pip_audit, requirements, service)
        print("$ " + " ".join(command), file=sys.stderr)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except FileNotFoundError:
            raise AuditError(f"{pip_audit} not found: run `make audit` (it installs pip-audit into .venv-audit/)") from None
        except subprocess.TimeoutExpired:
            raise AuditError(f"pip-audit did not finish in {timeout:.0f} s") from None
    return done.returncode, done.stdout, done.stderr


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.audit", description=__doc__.split("\n")[0])
    parser.add_argument("--lock", type=Path, default=LOCK)
    parser.add_argument("--exceptions", type=Path, default=EXCEPTIONS)
    parser.add_argument("--pip-audit", default=os.environ.get("PIP_AUDIT", str(ROOT / ".venv-audit" / "bin" / "pip-audit")))
    parser.add_argument("--service", choices=["pypi", "osv"], default=os.environ.get("AUDIT_SERVICE", "pypi"))
    parser.add_argument("--report", type=Path, help="judge this recorded pip-audit JSON instead of running pip-audit")
    args = parser.parse_args(argv)

    try:
        lock = read_lock(args.lock.read_text(encoding="utf-8"))
        accepted = load_exceptions(args.exceptions)
        requirements_text, rewritten = audit_requirements(lock)
        if args.report:
            stdout, code, stderr = args.report.read_text(encoding="utf-8"), None, ""
        else:
            code, stdout, stderr = run_pip_audit(args.pip_audit, requirements_text, args.service)
        try:
            dependencies = parse_report(stdout)
        except AuditError as error:
            tail = "\n".join(stderr.strip().splitlines()[-8:])
            raise AuditError(f"{error} (exit status {code}): the vulnerability service could not be reached "
                             f"or pip-audit failed.\n{tail}") from None
    except AuditError as error:
        print(f"AUDIT FAILED: INCOMPLETE. Nothing can be said about vulnerabilities: {error}", file=sys.stderr)
        return EXIT_INCOMPLETE

    verdict = judge(dependencies, lock, accepted)
    print(render(verdict, rewritten))
    return verdict.exit_code


if __name__ == "__main__":
    sys.exit(main())
