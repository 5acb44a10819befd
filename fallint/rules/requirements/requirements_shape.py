"""FAL301 `requirements-shape`: requirements mixes strings and lists, or holds something other than strings."""

from __future__ import annotations

import json

from fallint.model.fal import FAL_SHAPE_ERROR
from fallint.model.requirement_layers import KEY, shape_ok
from fallint.rules.registry import ERROR, Example, Rule, register
from fallint.util.text import type_name

#: fal's own message for a list of the wrong shape (``cli/_utils.py``)


_WEB = '''
    import fal


    class Web(fal.App):
        @fal.endpoint("/")
        def run(self) -> dict:
            return {}
    '''


@register
class RequirementsShape(Rule):
    code = "FAL301"
    name = "requirements-shape"
    severity = ERROR
    summary = "requirements mixes strings and lists, or holds something other than strings"
    what = """
        An element of `requirements` that does not fit the list's shape: a list (an
        install layer) among strings, a string among layers, a number or table
        anywhere, or a non-string inside a layer. The shape is decided by the first
        element. (A `requirements` value that is not an array at all is FAL004.)
    """
    why = f"""
        fal checks the shape for every app, before anything else, and raises
        `{FAL_SHAPE_ERROR}`
    """
    fix = """
        Write either a flat list of strings (`["numpy", "torch==2.4.1"]`, one install
        step) or a list of lists (`[["torch==2.4.1"], ["flash-attn"]]`, one install step
        per inner list, in order).
    """
    invalid = [
        Example(
            '''
            [tool.fal.apps.textgen]
            python_entry_point = "textgen.serve:TextGen"
            requirements = ["torch==2.4.1", ["flash-attn"]]
            ''',
            expect=["3:33"],
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            requirements = [
                ["numpy", 2],
                "torch",
            ]
            ''',
            files={"app.py": _WEB},
            expect=["4:15", "5:5"],
            title="a number in a layer, a string among layers (any app: fal checks before using it)",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.textgen]
            python_entry_point = "textgen.serve:TextGen"
            requirements = [["torch==2.4.1"], ["flash-attn"]]
            ''',
        )
    ]

    def check_app(self, app):
        value = app.table.get(KEY)
        if not isinstance(value, list) or shape_ok(value):
            return
        first = next((x for x in value if isinstance(x, (str, list))), None)
        layered = isinstance(first, list)
        for i, item in enumerate(value):
            if isinstance(item, list) and layered:
                for j, inner in enumerate(item):
                    if not isinstance(inner, str):
                        yield self._at(app, (KEY, i, j), f"this element of layer {i} is {type_name(inner)}, "
                                       "not a string")
            elif isinstance(item, list):
                yield self._at(app, (KEY, i), "this element is a list (an install layer), but the other "
                               "elements are strings", help="write its strings into the list directly, or make "
                               "every element a list of strings (one install layer each)")
            elif isinstance(item, str) and layered:
                yield self._at(app, (KEY, i), "this element is a string, but the other elements are lists "
                               "(install layers)", help=f"put it into a layer: `[{_toml_string(item)}]`")
            elif not isinstance(item, str):
                yield self._at(app, (KEY, i), f"this element is {type_name(item)}, not a string",
                               help='write requirements as strings: `"numpy==2.1.0"`')

    def _at(self, app, path, message, help=None):
        return self.at(app, path, f"{message}: fal raises `{FAL_SHAPE_ERROR}`", help=help)


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
