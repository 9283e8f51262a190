"""A plain threaded WSGI server for the benchmark (the app as production runs it, no runserver extras)."""

import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Threaded(ThreadingMixIn, WSGIServer):
    daemon_threads = True


if __name__ == "__main__":
    from taxfree.wsgi import application

    make_server("127.0.0.1", int(sys.argv[1]), application, server_class=Threaded, handler_class=Quiet).serve_forever()
