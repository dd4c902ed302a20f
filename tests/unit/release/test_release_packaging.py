"""Releases: one version, a wheel and sdist that install, the README's git install line, the Dockerfile.

The venvs here get verifyctl from the artefact under test and its dependencies from this interpreter's
site-packages (a .pth file), so nothing is fetched: no package index, no network.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import verifyctl

ROOT = Path(__file__).resolve().parents[3]
VERSION = verifyctl.__version__
pytestmark = pytest.mark.slow


def clean_env() -> dict[str, str]:
    skip = ("TWILIO_", "VERIFYCTL_", "PIP_", "PYTHON")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(skip)},
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


def run(*argv: str | Path, cwd: Path | None = None, timeout: float = 180) -> str:
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@dataclass(frozen=True)
class Venv:
    """A fresh virtual environment that sees this interpreter's packages only as dependencies."""

    path: Path

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    @property
    def verifyctl(self) -> Path:
        return self.path / "bin" / "verifyctl"

    def pip_install(self, *args: str | Path) -> None:
        # pip of this interpreter, working on the new venv: no second copy of pip to install.
        run(sys.executable, "-m", "pip", "--python", self.python, "install", "--no-deps", "--no-index", *args)


def fresh_venv(path: Path) -> Venv:
    run(sys.executable, "-m", "venv", "--without-pip", path)
    venv = Venv(path)
    site = run(venv.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    # The dependencies (pydantic, click, ...) from the current environment, after the venv's own packages.
    (Path(site) / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv


def has_setuptools() -> bool:
    """Whether this environment can build verifyctl itself (setuptools with bdist_wheel), without an index."""
    probe = "import setuptools.command.bdist_wheel"
    return subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode == 0


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, and the wheel built from it (as `python -m build` does), built once for the session."""
    out = tmp_path_factory.mktemp("dist")
    isolation = ["--no-isolation"] if has_setuptools() else []
    run(sys.executable, "-m", "build", *isolation, "--outdir", out, ROOT, timeout=300)
    return out


def _one(folder: Path, pattern: str) -> Path:
    [found] = sorted(folder.glob(pattern))
    return found


def test_the_version_is_kept_in_one_place() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^dynamic = \["version"\]$', pyproject, flags=re.M)
    assert 'version = { attr = "verifyctl.__version__" }' in pyproject
    assert not re.search(r'^version = "', pyproject, flags=re.M)
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog and f"## [{VERSION}] - " in changelog


def test_the_docs_install_the_current_release_tag() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f'pip install "verifyctl @ git+https://github.com/OWNER/verifyctl@v{VERSION}"' in readme
    assert f'pipx install "git+https://github.com/OWNER/verifyctl@v{VERSION}"' in readme


def test_the_sdist_carries_the_schema_the_examples_and_the_docs(dist: Path) -> None:
    with tarfile.open(_one(dist, "verifyctl-*.tar.gz")) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    expected = {
        "schemas/verifyctl.schema.json",
        "examples/login.yaml",
        "examples/multi-service.yaml",
        "examples/environments/verifyctl.yaml",
        "examples/ci/.github/workflows/verifyctl-plan.yml",
        "examples/ci/.github/workflows/verifyctl-apply.yml",
        "examples/ci/.github/workflows/verifyctl-drift.yml",
        "docs/index.md",
        "docs/configuration-reference.md",
        "README.md",
        "CHANGELOG.md",
        "action.yml",
        "scripts/action/verifyctl_action.py",
        "Dockerfile",
        "verifyctl/__init__.py",
    }
    assert not expected - names
    assert not [n for n in names if n.endswith((".pyc", ".sqlite3"))]


def test_the_wheel_installs_into_a_fresh_venv_and_reports_its_version(dist: Path, tmp_path: Path) -> None:
    wheel = _one(dist, f"verifyctl-{VERSION}-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"verifyctl/py.typed", "verifyctl/config/countries.json", "verifyctl/__main__.py"} <= names
    venv = fresh_venv(tmp_path / "venv")
    venv.pip_install(wheel)
    assert run(venv.verifyctl, "--version").strip() == f"verifyctl, version {VERSION}"
    where = run(venv.python, "-c", "import verifyctl; print(verifyctl.__file__)", cwd=tmp_path)
    assert where.startswith(str(venv.path)), where
    assert "Valid: 3 files" in run(venv.verifyctl, "validate", ROOT / "examples")


def test_the_readme_install_line_works_from_a_clone_url(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout: the install line installs from a git URL")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [line] = re.findall(
        r'^pip install "verifyctl @ git\+https://github\.com/OWNER/verifyctl@v[^"]+"$', readme, re.M
    )
    clone = tmp_path / "clone"
    run("git", "clone", "--quiet", "--no-local", "--no-checkout", ROOT, clone)
    run("git", "-C", clone, "checkout", "--quiet", run("git", "-C", ROOT, "rev-parse", "HEAD").strip())
    # The tag the release will have, made in the throwaway clone only.
    run(
        "git",
        "-C",
        clone,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "tag",
        "-a",
        f"v{VERSION}",
        "-m",
        "t",
    )
    # file://localhost/...: the pip that Python 3.11 bundles refuses a URL with an empty host (file:///...).
    url = clone.as_uri().replace("file:///", "file://localhost/", 1)
    requirement = line.split('"')[1].replace("https://github.com/OWNER/verifyctl", url)
    venv = fresh_venv(tmp_path / "venv")
    isolation = ["--no-build-isolation"] if has_setuptools() else []
    venv.pip_install(*isolation, requirement)
    assert run(venv.verifyctl, "--version").strip() == f"verifyctl, version {VERSION}"


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    source = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    text = re.sub(r"\\\n", " ", "\n".join(line for line in source if not line.lstrip().startswith("#")))
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip())
        for line in text.splitlines()
        if line.strip()
    ]


def test_the_dockerfile_runs_verifyctl_as_a_non_root_user_from_a_slim_base() -> None:
    instructions = dockerfile()
    kinds = [kind for kind, _ in instructions]
    assert kinds[0] == "FROM" and re.fullmatch(r"python:3\.\d+-slim", instructions[0][1])
    user = [args for kind, args in instructions if kind == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert kinds.index("USER") < kinds.index("ENTRYPOINT")
    assert dict(instructions)["ENTRYPOINT"] == '["verifyctl"]'
    assert "8765" in dict(instructions)["EXPOSE"]
    [install] = [args for kind, args in instructions if kind == "RUN" and "pip install" in args]
    assert "pip install /src" in install  # from the build context, never a name looked up on an index


def build_context(tmp_path: Path) -> Path:
    """The files `docker build .` sends, as .dockerignore filters them."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(relative: str) -> bool:
        parts = relative.split("/")
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        return any(
            fnmatch.fnmatch(c, p.removeprefix("**/"))
            or fnmatch.fnmatch(c.rsplit("/", 1)[-1], p.removeprefix("**/"))
            if p.startswith("**/")
            else fnmatch.fnmatch(c, p)
            for c in candidates
            for p in patterns
        )

    context = tmp_path / "src"
    files = run("git", "-C", ROOT, "ls-files", "--cached", "--others", "--exclude-standard").splitlines()
    for relative in files:
        source = ROOT / relative
        if source.is_file() and not ignored(relative):
            (context / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, context / relative)
    return context


def test_the_images_install_command_works_in_a_fresh_venv(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("the build context is read from git's file list")
    context = build_context(tmp_path)
    assert (context / "pyproject.toml").is_file() and not (context / "tests").exists()
    assert not (context / ".git").exists() and not (context / ".venv").exists()
    venv = fresh_venv(tmp_path / "venv")
    isolation = ["--no-build-isolation"] if has_setuptools() else []
    # The Dockerfile's `python -m pip install /src`, the dependencies taken from here, not an index.
    venv.pip_install(*isolation, context)
    assert run(venv.verifyctl, "--version").strip() == f"verifyctl, version {VERSION}"
    serve_help = run(venv.verifyctl, "emulator", "serve", "--help")
    assert "--host" in serve_help and "--port" in serve_help


@pytest.fixture(autouse=True)
def _no_stray_build_dirs() -> Iterator[None]:
    yield
    shutil.rmtree(ROOT / "build", ignore_errors=True)
