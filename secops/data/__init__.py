"""Student data protection: identifier recognition, classification, masking, watermarks (issue #8, in progress)."""
