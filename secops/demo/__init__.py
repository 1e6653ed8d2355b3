"""The end-to-end demo (``secops demo``): every capability's main job on a made-up school, in a
temporary workspace on the embedded default (SQLite). ``run`` drives the steps; ``data`` and
``compliance`` are its student-data and 等保 compliance steps."""
