"""等保 2.0: grading (GB/T 22240), the requirement catalog (GB/T 22239 / 28448), checks, assessment and scoring."""
