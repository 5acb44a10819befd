"""The packaging-free reading of common requirements agrees with packaging.

``fallint.formats.requirements`` reads simple requirements (name, extras, release
specifiers, a marker of plain comparisons) without importing packaging; for
every string it accepts, the fields must be exactly what packaging's parse
gives, and every other string must still go to packaging."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from fallint.formats import requirements as R

NAMES = ["torch", "numpy", "A.B-c_d", "x", "Pillow", "a1", "z_"]
EXTRAS = ["", "[cpu]", "[ a , B_c ]", "[]", "[a,a]", "[A,a]", "[x-y,z]"]
SPECS = ["", "==2.4.1", ">=1.26", "~=1.2", "~=1", ">1,<3,!=2.5", "<2 , >1", "== 01.2", ">=1,>=1", "==1.0.*",
         "===1.0", ">=1.0.post1", "==1.0,"]
MARKERS = ["", "; python_version >= '3.10'", ";python_version<\"3.11\" and os_name == 'nt' or sys_platform!='win32'",
           "; extra == 'Foo'", "; python_version in '3.10 3.11'", " ; platform_machine == \"x86_64\"",
           "; python_version>'3'and os_name=='nt'", ";", "; python_version >= '3.10' # c"]
SPACES = ["", " ", "  "]


def _corpus(n: int = 3000) -> list[str]:
    rng = random.Random(508)
    out = []
    for _ in range(n):
        out.append(rng.choice(SPACES) + rng.choice(NAMES) + rng.choice(SPACES) + rng.choice(EXTRAS)
                   + rng.choice(SPACES) + rng.choice(SPECS) + rng.choice(SPACES) + rng.choice(MARKERS)
                   + rng.choice(SPACES))
    return out


def test_fast_path_agrees_with_packaging():
    fast_count = 0
    for text in _corpus():
        fast = R._simple_named(text)
        try:
            slow = R._parse_named_with_packaging(text)
        except R._Reject:
            slow = None
        if fast is not None:
            fast_count += 1
            assert slow == fast, text
    assert fast_count > 500  # the fast path is actually taken


@pytest.mark.parametrize("text", ["torch==2.4.1", "numpy>=1.26; python_version >= '3.10'", "a[x]>=1,<2"])
def test_common_requirements_do_not_import_packaging(text, tmp_path):
    code = (
        "import sys; from fallint.formats import requirements as R; "
        f"a = R.analyze_layer([{text!r}]); "
        "assert not a.problems, a.problems; "
        "print(R.requirement_name(a.items[0].text), 'packaging' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[1] == "False"
    assert out[0] == R.requirement_name(text)


def test_uncommon_requirements_still_use_packaging():
    assert R.requirement_name("x @ https://example.com/x-1.0.tar.gz") == "x"
    assert R.requirement_name("x==1.0.*") == "x"
    assert R.requirement_name("not a requirement!") is None
    fields = R._parse_named("x===1.0")
    assert fields["specifier"] == "===1.0"


@pytest.mark.parametrize("text", ["https://download.pytorch.org/whl/cpu", "x y", "x==1 z", "-e .", "x[a", "@x"])
def test_requirement_name_agrees_with_packaging_on_non_requirements(text):
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        expected = R.canonical_name(Requirement(text).name)
    except InvalidRequirement:
        expected = None
    assert R.requirement_name(text) == expected
