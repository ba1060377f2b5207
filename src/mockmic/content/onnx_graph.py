"""One rewrite of the MiniLM ONNX graph, made on its bytes at load time: look up before dequantizing.

The packaged model stores its word-embedding table as int8 with one scale per row, dequantized by
``Cast`` and ``Mul`` nodes ahead of the ``Gather``. onnxruntime folds those into a float table at
load (47 MB, and twice that while folding). Gathering the int8 rows and their scales first, then
casting and multiplying only the looked-up rows, computes the same products bit for bit (the
same float operations on the same values) and keeps the table int8. Pure: bytes in, bytes out;
only the protobuf wire format is read, so it needs no ``onnx`` package.
"""

from __future__ import annotations

TABLE = "inner.embeddings.word_embeddings.weight"


def _varint(b, i: int) -> tuple[int, int]:
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return r, i


def _fields(b):
    """(field number, payload span or None, field start, field end) for each field of a message."""
    i, n = 0, len(b)
    while i < n:
        start = i
        key, i = _varint(b, i)
        wire = key & 7
        span = None
        if wire == 0:
            _, i = _varint(b, i)
        elif wire == 2:
            size, i = _varint(b, i)
            span = (i, i + size)
            i += size
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield key >> 3, span, start, i


def _enc_varint(x: int) -> bytes:
    out = bytearray()
    while x >= 0x80:
        out.append((x & 0x7F) | 0x80)
        x >>= 7
    out.append(x)
    return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _enc_varint(number << 3 | 2) + _enc_varint(len(payload)) + payload


def _node(op: str, inputs: list[str], outputs: list[str], name: str, attributes: bytes = b"") -> bytes:
    # NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
    body = b"".join(_field(1, x.encode()) for x in inputs) + b"".join(_field(2, x.encode()) for x in outputs)
    return _field(1, body + _field(3, name.encode()) + _field(4, op.encode()) + attributes)


def _node_fields(node) -> tuple[dict[int, list[str]], bytes]:
    """A NodeProto's input (1), output (2), op_type (4) strings, and its attribute fields' bytes."""
    strings: dict[int, list[str]] = {1: [], 2: [], 4: []}
    attributes = []
    for f, span, start, end in _fields(node):
        if f in strings and span:
            strings[f].append(bytes(node[span[0] : span[1]]).decode())
        elif f == 5:
            attributes.append(bytes(node[start:end]))
    return strings, b"".join(attributes)


def gather_before_dequantize(model: bytes, table: str = TABLE) -> bytes | None:
    """The model with ``table`` looked up as int8 and dequantized after, or None when the graph
    does not have the expected ``Cast -> Mul -> Gather`` shape (then load the file as it is)."""
    mv = memoryview(model)
    graph_span = next((span for f, span, _, _ in _fields(mv) if f == 7 and span), None)  # ModelProto.graph
    if graph_span is None:
        return None
    graph = mv[graph_span[0] : graph_span[1]]
    parts: list[memoryview | None] = []
    cast = mul = gather = None
    cast_attributes = b""
    for f, span, start, end in _fields(graph):
        if f == 1 and span:  # GraphProto.node
            strings, attributes = _node_fields(graph[span[0] : span[1]])
            ins, outs, op = strings[1], strings[2], strings[4]
            if op == ["Cast"] and outs == [table + "_f"] and cast is None:
                cast, cast_attributes = ins, attributes
                continue
            if op == ["Mul"] and outs == [table] and mul is None:
                mul = ins
                continue
            if op == ["Gather"] and ins[:1] == [table] and gather is None:
                gather = (ins, outs, attributes)
                parts.append(None)  # the new nodes go where the lookup was
                continue
        parts.append(graph[start:end])
    if not (cast and mul and gather and len(mul) == 2 and mul[0] == table + "_f" and len(gather[0]) == 2):
        return None
    quantized, scale = cast[0], mul[1]
    (_, ids), (out, *_), gather_attributes = gather
    new = b"".join([
        _node("Gather", [quantized, ids], [out + "_q"], "mockmic_gather_int8", gather_attributes),
        _node("Gather", [scale, ids], [out + "_scale"], "mockmic_gather_scale", gather_attributes),
        _node("Cast", [out + "_q"], [out + "_f"], "mockmic_cast", cast_attributes),
        _node("Mul", [out + "_f", out + "_scale"], [out], "mockmic_dequantize"),
    ])
    graph_parts = [new if p is None else p for p in parts]
    size = sum(len(p) for p in graph_parts)
    pieces: list = []
    for f, _, start, end in _fields(mv):
        if f == 7:  # the new graph, as one length-delimited field; the big tensors are copied once
            pieces += [_enc_varint(7 << 3 | 2), _enc_varint(size), *graph_parts]
        else:
            pieces.append(mv[start:end])
    return b"".join(pieces)
