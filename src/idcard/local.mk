# src/idcard: GA 467 ID-card reader.
