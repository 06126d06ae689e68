"""The built package works on its own: a wheel of this checkout, installed into a fresh virtual
environment, runs the command line, finds its demo data, translations, migrations and page
files, and never reaches back into the source.

The wheel is built with this environment's setuptools (no build isolation, nothing fetched)
from a copy of the sources, so a build never writes build/ or *.egg-info into the checkout.
The fresh environment gets only the wheel; it borrows this environment's third-party
packages through a .pth file, which Python reads after the environment's own site-packages:
the wheel's `samenspel` comes first, and the editable checkout (a finder that only this
environment's own .pth files switch on) is not importable there at all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "samenspel"
NOT_SHIPPED = shutil.ignore_patterns("__pycache__", "*.pyc")
# bdist_wheel is part of setuptools from 70.1 on; before that it needs the `wheel` package.
SETUPTOOLS_WITH_BDIST_WHEEL = Version("70.1")
TIMEOUT = 120  # seconds per command: a hung subprocess fails the test instead of the run


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command; a failure shows what it printed, not only its exit code."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, command))} exited with {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}",
            pytrace=False,
        )
    return result


def source_files(package_dir: Path) -> set[str]:
    """Every file of the package as a path inside the wheel (samenspel/...)."""
    return {
        path.relative_to(package_dir.parent).as_posix()
        for path in package_dir.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """A wheel built from a copy of the sources, and the copy it was built from."""
    setuptools_version = Version(version("setuptools"))
    if setuptools_version < SETUPTOOLS_WITH_BDIST_WHEEL:
        pytest.fail(
            f"setuptools {setuptools_version} cannot build a wheel without fetching the `wheel` "
            f"package; install the test extra: pip install -c requirements.lock -e '.[test]'",
            pytrace=False,
        )
    source = tmp_path_factory.mktemp("source")
    shutil.copy2(ROOT / "pyproject.toml", source)
    shutil.copy2(ROOT / "README.md", source)  # the project's readme, part of its metadata
    shutil.copytree(PACKAGE, source / "samenspel", ignore=NOT_SHIPPED)
    dist = tmp_path_factory.mktemp("dist")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            # This environment's setuptools must satisfy [build-system] requires.
            "--check-build-dependencies",
            "--wheel-dir",
            str(dist),
            str(source),
        ]
    )
    (wheel,) = dist.glob("samenspel-*.whl")
    return {"wheel": wheel, "source": source}


@pytest.fixture(scope="module")
def venv(built, tmp_path_factory) -> dict[str, Path]:
    """A fresh virtual environment with only the wheel installed, and an empty working
    folder to run it in (not the checkout, so nothing can be found relative to it)."""
    home = tmp_path_factory.mktemp("venv") / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(home)])
    python = home / "bin" / "python"
    # This environment's pip installs into the new one (it has no pip of its own).
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-compile",
            str(built["wheel"]),
        ]
    )
    site_packages = Path(
        run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).stdout.strip()
    )
    shared = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "zz_shared_third_party.pth").write_text(
        "".join(f"{path}\n" for path in sorted(shared)), encoding="utf-8"
    )
    workdir = tmp_path_factory.mktemp("work")
    return {"home": home, "python": python, "site_packages": site_packages, "workdir": workdir}


def clean_env() -> dict[str, str]:
    """This process's environment without what would steer Python's imports elsewhere."""
    steering = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")
    return {key: value for key, value in os.environ.items() if key not in steering}


def venv_env(venv) -> dict[str, str]:
    env = clean_env()
    env["VIRTUAL_ENV"] = str(venv["home"])
    env["PATH"] = f"{venv['home'] / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def in_venv(venv, *args: str) -> subprocess.CompletedProcess:
    return run(list(args), cwd=venv["workdir"], env=venv_env(venv))


# Runs inside the fresh environment: what the installed package finds, as JSON. Its input
# (a message to translate, a database path) comes as a JSON argument, never as code.
PROBE = textwrap.dedent(
    """
    import json, sys

    import samenspel
    from samenspel import i18n, paths
    from samenspel.storage import db

    given = json.loads(sys.argv[1])
    i18n.set_language("en")
    engine = db.make_engine("sqlite:///" + given["database"])
    db.upgrade(engine)
    print(json.dumps({
        "module": samenspel.__file__,
        "package_dir": str(paths.PACKAGE_DIR),
        "data_dir": str(paths.DATA_DIR),
        "migrations_dir": str(db.MIGRATIONS_DIR),
        "english": i18n.t(given["message"]),
        "revision": db.current_revision(engine),
        "tables": sorted(db.table_names(engine)),
        "views": sorted(p.name for p in (paths.PACKAGE_DIR / "web" / "views").glob("*.py")),
    }))
    """
)


@pytest.fixture(scope="module")
def probed(venv, built, tmp_path_factory) -> dict:
    message, english = a_translated_message(built["source"] / "samenspel" / "locale" / "en.po")
    database = tmp_path_factory.mktemp("db") / "samenspel.db"
    given = json.dumps({"message": message, "database": str(database)})
    result = in_venv(venv, str(venv["python"]), "-c", PROBE, given)
    return {**json.loads(result.stdout), "message": message, "expected_english": english}


def a_translated_message(po_file: Path) -> tuple[str, str]:
    """A message of the catalogue whose English differs from its Dutch, without placeholders."""
    with po_file.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if (
            isinstance(message.id, str)
            and message.id
            and message.string
            and message.string != message.id
            and "{" not in message.id
        ):
            return message.id, message.string
    pytest.fail(f"{po_file} has no translated message to check", pytrace=False)


def head_revision(versions_dir: Path) -> str:
    """The one revision no other migration names as its down_revision."""
    revisions, parents = set(), set()
    for path in versions_dir.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found = re.search(r"^revision = ['\"](\w+)['\"]", text, re.MULTILINE)
        if found:
            revisions.add(found.group(1))
            parent = re.search(r"^down_revision = ['\"](\w+)['\"]", text, re.MULTILINE)
            if parent:
                parents.add(parent.group(1))
    (head,) = revisions - parents
    return head


def test_the_wheel_holds_every_file_of_the_package(built):
    """Data, translations, migrations, their template and the page files: a file missing here
    is a file the installed app cannot find."""
    with zipfile.ZipFile(built["wheel"]) as archive:
        in_wheel = set(archive.namelist())
    expected = source_files(built["source"] / "samenspel")
    missing = sorted(expected - in_wheel)
    assert not missing, (
        "the wheel lacks these files of the package; add a pattern for them to "
        f"[tool.setuptools.package-data] in pyproject.toml: {missing}"
    )
    # The groups the app cannot do without, named so a failure says which one went missing.
    for required in (
        "samenspel/data/demo/needs.csv",
        "samenspel/data/demo/offers.csv",
        "samenspel/data/funds.csv",
        "samenspel/locale/en.po",
        "samenspel/storage/migrations/env.py",
        "samenspel/storage/migrations/script.py.mako",
        "samenspel/web/views/home.py",
    ):
        assert required in in_wheel
    assert any(name.startswith("samenspel/storage/migrations/versions/0001") for name in in_wheel)
    others = {name.split("/")[0] for name in in_wheel} - {"samenspel"}
    assert all(name.endswith(".dist-info") for name in others), others  # no tests, no app.py


def test_the_installed_package_is_the_wheel_and_not_the_checkout(venv, probed):
    inside = venv["site_packages"] / "samenspel"
    assert Path(probed["module"]).parent == inside
    for key in ("package_dir", "data_dir", "migrations_dir"):
        assert Path(probed[key]).is_relative_to(inside), (key, probed[key])


def test_the_english_catalogue_comes_with_the_package(probed):
    assert probed["english"] == probed["expected_english"], probed["message"]


def test_the_migrations_and_page_files_come_with_the_package(built, probed):
    source = built["source"] / "samenspel"
    assert probed["revision"] == head_revision(source / "storage" / "migrations" / "versions")
    assert {"match", "need", "offer", "user", "alembic_version"} <= set(probed["tables"])
    assert probed["views"] == sorted(p.name for p in (source / "web" / "views").glob("*.py"))


def test_samenspel_suggest_runs_on_the_packaged_demo_files(venv, built, probed):
    demo = Path(probed["data_dir"]) / "demo"
    command = [
        "suggest",
        str(demo / "needs.csv"),
        str(demo / "offers.csv"),
        "--top",
        "5",
        "--format",
        "json",
        "--today",
        "2026-12-01",
    ]
    installed = json.loads(in_venv(venv, "samenspel", *command).stdout)

    needs = (demo / "needs.csv").read_text(encoding="utf-8").splitlines()
    assert len(installed) == len(needs) - 1  # one result per need, header left out
    assert all(len(result["suggestions"]) <= 5 for result in installed)
    first = {result["need_id"]: result["suggestions"] for result in installed}
    # The README's demo story: Buurtpand De Kade is the venue suggested first to De Pan.
    assert first["N001"][0]["offer_id"] == "O001"
    assert first["N001"][0]["reasons"] and all(
        isinstance(reason, str) and reason for reason in first["N001"][0]["reasons"]
    )
    # The very sources the wheel was built from give the same answer on the same files: the
    # vocabulary and the other data behind the reasons came along in full.
    from_source = run(
        [sys.executable, "-m", "samenspel.cli", *command],
        cwd=built["source"],
        env=clean_env(),
    )
    assert installed == json.loads(from_source.stdout)


def test_both_command_line_entries_work_from_the_wheel(venv):
    script = in_venv(venv, "samenspel", "--help").stdout
    module = in_venv(venv, str(venv["python"]), "-m", "samenspel.cli", "--help").stdout
    assert "suggest" in script and "usage: samenspel" in script
    assert module == script
    script_path = shutil.which("samenspel", path=str(venv["home"] / "bin"))
    assert script_path is not None and Path(script_path).parent == venv["home"] / "bin"


def test_only_paths_py_builds_paths_from_the_package_location():
    """Package data is found through samenspel/paths.py, so it is found wherever the package
    is installed. The one other user of __file__ is the translation tool, which works on the
    checkout on purpose (it reads app.py and writes locale/en.po there)."""
    allowed = {"samenspel/paths.py", "samenspel/catalogue.py"}
    own_file = re.compile(r"(?<![\w.])__file__\b")
    users = {
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*.py")
        if own_file.search(path.read_text(encoding="utf-8"))
    }
    assert users <= allowed, f"use samenspel.paths instead of __file__ in {sorted(users - allowed)}"
