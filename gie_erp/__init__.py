"""gie_erp: the shared books and services of a GIE of cooperatives. This package is the top layer (the GIE's own
jobs, the web shell) and holds the kernel in ``gie_erp.core``."""
