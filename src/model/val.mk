# validators (GB 32100, GB 11643, ...)
