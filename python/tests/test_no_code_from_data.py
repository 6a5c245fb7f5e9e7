"""Security (issue 9, item 7): nothing turns capture or ONNX data into code. No eval, no Function
constructor, no pickle or other deserializer that runs code, no repr parsing -- in our sources and
in the bundles we ship (the Node converter and the JupyterLab extension's static assets), which
also hold the libraries we bundle. Our widget code never writes HTML from strings and fetches
nothing from a network (no CDN).

d3 is bundled, not shared between extensions (package.json "sharedPackages": {"d3": false}), so it
is tree-shaken: as a shared module all of d3 shipped, d3-dsv's CSV row parser included, which
builds a `Function` from the column names of the data it parses."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "python" / "jax2onnx_lab"

JS_PATTERNS = {
    "eval": re.compile(r"(?<![.\w$])eval\s*\(|\b(?:globalThis|window|self|global)\s*\.\s*eval\b|\[\s*[\"'`]eval[\"'`]\s*\]"),
    "Function constructor": re.compile(r"(?<![.\w$])(?:new\s+)?Function\s*\("),
    "string timer": re.compile(r"\bset(?:Timeout|Interval)\s*\(\s*[\"'`]"),
}
PY_PATTERNS = {
    "eval/exec": re.compile(r"(?<![.\w])(?:eval|exec)\s*\("),
    "compile()": re.compile(r"(?<![.\w])compile\s*\("),
    "pickle-like deserializers": re.compile(r"\b(?:c?pickle|dill|cloudpickle|marshal|shelve|joblib)\b"),
    "repr parsing": re.compile(r"\bliteral_eval\b|\b__import__\s*\("),
    "numpy pickles": re.compile(r"allow_pickle\s*=\s*True"),
    "unsafe yaml": re.compile(r"\byaml\.(?:load|unsafe_load)\s*\("),
}
# Our widget code: text only, nothing from the network.
WIDGET_PATTERNS = {
    "HTML from strings": re.compile(r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\.html\s*\("),
    # URLs other than XML namespace names (http://www.w3.org/2000/svg names SVG; nothing fetches it).
    "network": re.compile(r"\bfetch\s*\(|XMLHttpRequest|WebSocket|EventSource|https?://(?!www\.w3\.org/)|//cdn\.|unpkg\.com|jsdelivr"),
}


# The only code we run from text: the %%jax2onnx cell magic runs the user's own cell, which IPython
# would run anyway (never capture or ONNX data). Pinned to the count, so a new use fails the test.
ALLOWED = {("python/jax2onnx_lab/_magics.py", "eval/exec"): 3, ("python/jax2onnx_lab/_magics.py", "compile()"): 3}


def sources(*globs: str) -> list[Path]:
    files = sorted({p for g in globs for p in ROOT.glob(g)})
    return [p for p in files if "node_modules" not in p.parts and p.is_file()]


PY_SOURCES = [p for p in sources("python/jax2onnx_lab/**/*.py") if "labextension" not in p.parts]
TS_SOURCES = sources("src/**/*.ts", "plugins/**/*.ts", "src/**/*.js")
WIDGET_SOURCES = [p for p in sources("src/widget/**/*.ts", "src/index.ts", "style/**/*.js") if not p.name.endswith(".test.ts")]
BUNDLES = sources("python/jax2onnx_lab/_js/*.cjs", "python/jax2onnx_lab/labextension/static/*.js")


def hits(files: list[Path], patterns: dict[str, re.Pattern[str]]) -> list[str]:
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for what, pattern in patterns.items():
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                snippet = text[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ")
                shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
                found.append(f"{shown}:{line}: {what}: ...{snippet}...")
    return found


def test_the_scanned_files_exist():
    """The scan is not vacuous: it sees the sources, the Node bundle and the extension's assets."""
    assert len(PY_SOURCES) >= 10 and len(TS_SOURCES) >= 40
    names = [p.name for p in BUNDLES]
    assert "jax2onnx-lab.cjs" in names and any(n.startswith("remoteEntry.") for n in names), names


@pytest.mark.parametrize("pattern", sorted(JS_PATTERNS))
def test_no_code_from_strings_in_typescript_and_bundles(pattern):
    found = hits(TS_SOURCES + BUNDLES, {pattern: JS_PATTERNS[pattern]})
    assert not found, "\n".join(found[:20])


@pytest.mark.parametrize("pattern", sorted(PY_PATTERNS))
def test_no_code_from_data_in_python(pattern):
    found = hits(PY_SOURCES, {pattern: PY_PATTERNS[pattern]})
    for (file, what), count in ALLOWED.items():
        if what == pattern:
            mine = [h for h in found if h.startswith(f"{file}:")]
            assert len(mine) == count, f"{file}: expected {count} allowed uses of {what}, found:\n" + "\n".join(mine)
            found = [h for h in found if h not in mine]
    assert not found, "\n".join(found[:20])


@pytest.mark.parametrize("pattern", sorted(WIDGET_PATTERNS))
def test_the_widget_writes_text_and_fetches_nothing(pattern):
    found = hits(WIDGET_SOURCES, {pattern: WIDGET_PATTERNS[pattern]})
    assert not found, "\n".join(found[:20])


def test_the_extension_ships_onnxruntime_wasm_itself():
    """The widget runs onnxruntime-web from the extension's own static files, never a CDN."""
    static = PACKAGE / "labextension" / "static"
    wasm = sorted(static.glob("ort-wasm-simd-threaded.*.wasm"))
    assert len(wasm) == 1 and wasm[0].stat().st_size > 5_000_000, sorted(p.name for p in static.iterdir())
    assert wasm[0].read_bytes()[:4] == b"\0asm"


def test_the_patterns_catch_what_they_are_for(tmp_path):
    """Each pattern fires on the thing it forbids and not on its look-alikes."""
    js = tmp_path / "a.js"
    js.write_text('eval("1"); x = new Function("a", "return a"); setTimeout("f()", 1); window.eval(s); g = Function("return this")()')
    py = tmp_path / "a.py"
    py.write_text("import pickle\neval(text)\nnp.load(f, allow_pickle=True)\nast.literal_eval(s)\n")
    safe = tmp_path / "b.js"
    safe.write_text('model.eval(); "call model.eval() first"; const evaluate = 1; evalDim(e); myFunction(1); isFunction(x)')
    assert {h.split(": ")[1] for h in hits([js], JS_PATTERNS)} == set(JS_PATTERNS)
    assert {h.split(": ")[1] for h in hits([py], PY_PATTERNS)} >= {"eval/exec", "pickle-like deserializers", "repr parsing", "numpy pickles"}
    assert hits([safe], JS_PATTERNS) == []
    html = tmp_path / "w.ts"
    html.write_text('el.innerHTML = name; fetch("https://cdn.jsdelivr.net/x.wasm")')
    assert {h.split(": ")[1] for h in hits([html], WIDGET_PATTERNS)} == set(WIDGET_PATTERNS)
    svg = tmp_path / "s.ts"
    svg.write_text('const SVG_NS = "http://www.w3.org/2000/svg"; el.textContent = name;')
    assert hits([svg], WIDGET_PATTERNS) == []
