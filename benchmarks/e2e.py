"""Processes for the end-to-end gateway benchmark (benchmarks/run.py starts them).

    python benchmarks/e2e.py soap PORT LARGE SMALL
        a SOAP endpoint on 127.0.0.1: answers every POST with the file LARGE, or SMALL after a
        GET /small (GET /large switches back), streamed in 64 KB writes (Content-Length set,
        as a SOAP server does)
    python benchmarks/e2e.py gateway PORT SPEC WSDL SOAP_URL
        the gateway runtime of one service (what a generated server app runs) under uvicorn
"""

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

API_KEY = "bench-key"


def soap(port: int, large: Path, small: Path) -> None:
    answer = [large]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer[0] = small if self.path.endswith("/small") else large
            self.send_response(204)
            self.end_headers()

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            path = answer[0]
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(path.stat().st_size))
            self.end_headers()
            with path.open("rb") as source:
                while block := source.read(65536):
                    self.wfile.write(block)

        def log_message(self, format: str, *args: object) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def gateway(port: int, spec_path: Path, wsdl: Path, soap_url: str) -> None:
    import uvicorn
    from fastapi import Request
    from fastapi.responses import Response

    from b2b_openapi.runtime.server import ServiceRuntime, Settings, create_app
    from b2b_openapi.runtime.spec import ServiceSpec

    settings = Settings(mode="gateway", api_keys={API_KEY: "bench"}, soap_endpoint=soap_url,
                        soap_timeout=600)
    runtime = ServiceRuntime(ServiceSpec.load(spec_path), settings, wsdl=wsdl)
    app = create_app(runtime)
    def route(op_id: str) -> Any:
        async def handle(request: Request) -> Response:
            return await runtime.handle(op_id, request)
        return handle

    for op_id, op in runtime.spec.operations.items():
        app.add_api_route(runtime.route(op_id), route(op_id), methods=[op.method],
                          include_in_schema=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    if sys.argv[1] == "soap":
        soap(int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        gateway(int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), sys.argv[5])
