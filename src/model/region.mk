# GB/T 2260 divisions
