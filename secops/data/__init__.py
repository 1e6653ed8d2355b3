"""Student data protection: identifier recognition, classification, masking, watermarks."""
