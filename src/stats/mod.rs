//! Pure computations behind each panel: plain data in, plain data out, no I/O.
