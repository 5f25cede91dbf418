"""``python -m bot`` runs the application's entry point, which lives above the core (``editbot``)
so that the core itself never names a platform."""

import runpy

runpy.run_module("editbot", run_name="__main__", alter_sys=True)
