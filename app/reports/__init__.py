"""Reports of a unit or of the district: the data once, then PDF, XLSX and CSV."""
