"""应急演练: scenario content, drills run on the workspace, their clocks and their outcome."""
