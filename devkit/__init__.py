"""Developer and demo tooling, not shipped with the bot (not in the installed package).

- ``synapse_local``: a local Synapse for the demo and the tests (``scripts/homeserver``);
- ``matrix_people``: simulated people, each a real matrix-nio client;
- ``matrix_demo``: the complete atelier in a real Matrix room (``scripts/demo``);
- ``bench_stream``: the recorded event stream of a complete atelier, for the benchmarks.

Run from a checkout (``python -m devkit.…`` from its top folder); the bot itself never imports
this package.
"""
