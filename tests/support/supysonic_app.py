"""Runs Supysonic's web application on 127.0.0.1, on a free port, with the configuration file
given (and no other: Supysonic's own launcher would also read /etc/supysonic, ~/.supysonic and
./supysonic.conf). Prints the port on the first line of stdout, then serves until killed.

Run as a script by ``tests.support.supysonic_server`` (a separate process, as a real server is).
"""

from __future__ import annotations

import sys

from supysonic.config import IniConfig
from supysonic.web import create_application
from werkzeug.serving import make_server


def main() -> None:
    app = create_application(IniConfig([sys.argv[1]]))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
