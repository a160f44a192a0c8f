# SPDX-License-Identifier: GPL-2.0-only
"""Serve graphite-web's WSGI application on one loopback address and port.

Debian runs graphite-web under Apache or uWSGI; the tests only need its
render/find API, so the standard library's WSGI server is enough.
Usage: graphite_web.py ADDRESS PORT (settings come from the environment:
DJANGO_SETTINGS_MODULE, GRAPHITE_SETTINGS_MODULE, PYTHONPATH).
"""
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main():
    address, port = sys.argv[1], int(sys.argv[2])
    from graphite.wsgi import application
    server = make_server(address, port, application,
                         server_class=ThreadingWSGIServer,
                         handler_class=QuietHandler)
    print("graphite-web listening on %s:%d" % (address, port), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
