from __future__ import annotations

from tests.double import replies

STUB = '''import math


def area(radius: float) -> float:
    """Area of a circle."""
    ...
'''


async def test_generate_function_through_resolve(editor) -> None:
    uri = editor.open("geometry.py", STUB)
    editor.double.script(
        replies.json_output(
            {
                "code": 'def area(radius: float) -> float:\n    """Area of a circle."""\n    return math.pi * radius ** 2\n'
            }
        )
    )
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    assert editor.buffers[uri] == STUB.replace("    ...\n", "    return math.pi * radius ** 2\n")
