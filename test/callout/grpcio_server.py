"""A small ext_proc server on Python's grpcio (Debian python3-grpcio), for interop tests of extgate's client.

No generated code: the service is registered as a generic stream-stream handler on raw bytes, and the few
fields it needs are read and written by hand on the protobuf wire format. Every headers message is answered
with a header mutation (`x-python: grpcio` on requests, `x-python-response: grpcio` on responses); body and
trailers messages with an empty answer (continue unchanged).

    /usr/bin/python3 grpcio_server.py [--option name=value ...] [cert.pem key.pem]

prints "port <n>" once serving on 127.0.0.1. Each `--option` is a grpc-core channel argument given to the
server (an integer value), e.g. `--option grpc.http2.max_ping_strikes=2` for the keepalive tests.
Each message is answered as it comes; the call stays open, quiet on the server's side, until the client
half-closes (what a callout looks like while the request's upstream is slow to answer).
"""
import sys
from concurrent import futures

import grpc

PROCESS = "/envoy.service.ext_proc.v3.ExternalProcessor/Process"


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, payload):
    """A length-delimited field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def read_varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def request_kind(message):
    """The number of the ProcessingRequest oneof field that is set (2..7), or 0."""
    i = 0
    while i < len(message):
        key, i = read_varint(message, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, i = read_varint(message, i)
        elif wire == 2:
            length, i = read_varint(message, i)
            i += length
            if 2 <= number <= 7:
                return number
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise ValueError("unexpected wire type %d" % wire)
    return 0


def set_header(key, value):
    header_value = field(1, key.encode("latin-1")) + field(3, value.encode("latin-1"))
    header_value_option = field(1, header_value)
    header_mutation = field(1, header_value_option)
    common_response = field(2, header_mutation)
    return field(1, common_response)  # HeadersResponse.response


def answer(message):
    kind = request_kind(message)
    if kind == 2:  # request_headers → ProcessingResponse.request_headers
        return field(1, set_header("x-python", "grpcio"))
    if kind == 3:  # response_headers → ProcessingResponse.response_headers
        return field(2, set_header("x-python-response", "grpcio"))
    if 4 <= kind <= 7:  # bodies and trailers: an empty answer of the same kind
        return field(kind - 1, b"")
    raise ValueError("ProcessingRequest without a request")


def process(requests, context):
    for message in requests:
        yield answer(message)


def parse_args(argv):
    """`--option name=value` pairs (grpc-core channel arguments, integers) and the positional files."""
    options, files = [], []
    i = 0
    while i < len(argv):
        if argv[i] == "--option":
            name, _, value = argv[i + 1].partition("=")
            options.append((name, int(value)))
            i += 2
        else:
            files.append(argv[i])
            i += 1
    return options, files


def main():
    options, files = parse_args(sys.argv[1:])
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=options)
    handler = grpc.method_handlers_generic_handler(
        "envoy.service.ext_proc.v3.ExternalProcessor",
        {"Process": grpc.stream_stream_rpc_method_handler(process)},
    )
    server.add_generic_rpc_handlers((handler,))
    if len(files) == 2:
        with open(files[0], "rb") as c, open(files[1], "rb") as k:
            credentials = grpc.ssl_server_credentials(((k.read(), c.read()),))
        port = server.add_secure_port("127.0.0.1:0", credentials)
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print("port %d" % port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
