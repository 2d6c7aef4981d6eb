# The bench workloads for Apache + mod_wsgi, mirroring bench/runtime/handlers.mjs.
import time

# The same loop as cpuWork() in handlers.mjs. CPython runs it about 25 times slower than V8,
# so it runs 1/25 of the iterations: about the same milliseconds of one core per request,
# which makes the CPU workload a test of parallelism (processes past the GIL), not of speed.
CPU_ITERATIONS = 40000
IO_WAIT_SECONDS = 0.010
HELLO = b"hello world"
BYTES = b"x" * (64 * 1024)


def cpu_work(iterations):
    x = 0
    for i in range(iterations):
        x = (x * 31 + i) % 1000003
    return x


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    status = "200 OK"
    content_type = "text/plain"
    if path == "/hello":
        body = HELLO
    elif path == "/cpu":
        body = str(cpu_work(CPU_ITERATIONS)).encode()
    elif path == "/io":
        time.sleep(IO_WAIT_SECONDS)
        body = b"waited"
    elif path == "/bytes":
        body = BYTES
        content_type = "application/octet-stream"
    elif path == "/version":
        import sys
        import mod_wsgi
        body = ("python %s; mod_wsgi %s" % (sys.version.split()[0], ".".join(map(str, mod_wsgi.version)))).encode()
    else:
        status = "404 Not Found"
        body = b"not found"
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
