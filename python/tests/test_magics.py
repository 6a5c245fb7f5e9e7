"""%jax2onnx / %%jax2onnx in a real IPython shell: option parsing, the callable they pick, the
widget they return, and usage errors without tracebacks."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from jax2onnx_lab import GraphWidget
from jax2onnx_lab._magics import parse_dims, parse_input_spec


@pytest.fixture(scope="module")
def shell():
    sh = InteractiveShell.instance()
    sh.run_line_magic("load_ext", "jax2onnx_lab")
    sh.run_cell("import jax.numpy as jnp\nfrom flax import nnx\nimport sys; sys.path.insert(0, %r)" % __file__.rsplit("/", 1)[0])
    sh.run_cell("from example_models import MLP\nmodel = MLP(30, 20, 10, rngs=nnx.Rngs(0)); model.eval()")
    yield sh
    InteractiveShell.clear_instance()


def test_input_specs():
    assert parse_input_spec("B,30") == ("B", 30)
    assert parse_input_spec(" 4 , 3 ") == (4, 3)
    assert parse_input_spec("") == () and parse_input_spec("()") == ()
    s = parse_input_spec("int32[B,8]")
    assert s.shape == ("B", 8) and s.dtype == np.int32
    with pytest.raises(UsageError, match="unknown dtype"):
        parse_input_spec("notadtype[3]")
    assert parse_dims(["B=4", "T=2,C=3"]) == {"B": 4, "T": 2, "C": 3}
    with pytest.raises(UsageError, match="NAME=SIZE"):
        parse_dims(["B4"])


def test_line_magic_converts_a_module_from_the_namespace(shell):
    w = shell.run_line_magic("jax2onnx", 'model --inputs "B,30" --dims B=4 --opset 20')
    assert isinstance(w, GraphWidget)
    assert w.error == ""
    assert w.config["opset"] == 20 and w.config["modelName"] == "MLP"
    assert w.parity_case["inputs"][0]["shape"] == [4, 30]


def test_line_magic_with_output_and_no_parity(shell, tmp_path):
    target = tmp_path / "mlp.onnx"
    w = shell.run_line_magic("jax2onnx", f"model -i B,30 --output {target} --no-parity --no-fusions")
    assert target.exists() and w.config["parity"] == "off" and w.config["fusions"] is False
    assert w.config["fileName"] == "mlp.onnx"


def test_cell_magic_converts_the_last_expression(shell):
    w = shell.run_cell_magic("jax2onnx", "--inputs 3,4 --inputs 4", "scale = 2.0\nlambda a, b: jnp.tanh(a @ b) * scale")
    assert isinstance(w, GraphWidget) and w.error == ""
    assert [i["shape"] for i in w.parity_case["inputs"]] == [[3, 4], [4]]


def test_cell_magic_converts_the_function_it_defines(shell):
    w = shell.run_cell_magic("jax2onnx", "--inputs int32[B]", "def double(x):\n    return x * 2\n")
    assert w.config["modelName"] == "double"
    assert w.parity_case["inputs"][0]["dtype"] == "int32"
    assert shell.user_ns["double"](3) == 6  # the cell ran in the notebook's namespace


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("nosuchname --inputs 3", "'nosuchname' is not defined"),
        ("model", "give each input's shape with --inputs"),
        ("--inputs 3", "name the callable"),
    ],
)
def test_usage_errors_name_the_fix(shell, line, message):
    with pytest.raises(UsageError, match=message):
        shell.run_line_magic("jax2onnx", line)


def test_help_documents_the_options(shell):
    doc = shell.find_line_magic("jax2onnx").__doc__
    for option in ("--inputs", "--output", "--opset", "--dims", "--no-parity", "%%jax2onnx"):
        assert option in doc


def test_source_lines_of_notebook_cells_read_as_ipython_names_them(shell):
    shell.run_cell("def triple(x):\n    return jnp.tanh(x) * 3\n", store_history=True)
    count = shell.execution_count - 1
    w = shell.run_line_magic("jax2onnx", "triple --inputs 4 --no-parity")
    files = w._capture.header["files"]
    assert f"Cell In[{count}]" in files, files
