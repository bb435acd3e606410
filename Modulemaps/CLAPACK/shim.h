#ifndef CLAPACK_SHIM_H
#define CLAPACK_SHIM_H

// CBLAS and LAPACKE as shipped by Debian 12 (libopenblas-dev, liblapacke-dev).
// Debian's OpenBLAS is built without LAPACKE, so the module links both libraries.
#include <cblas.h>
#include <lapacke.h>

// `lapack_int` is a macro, invisible to Swift: give it a real type name.
typedef lapack_int clapack_int;

#endif
