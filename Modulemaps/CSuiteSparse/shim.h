#ifndef CSUITESPARSE_SHIM_H
#define CSUITESPARSE_SHIM_H

// CHOLMOD (sparse Cholesky) and UMFPACK (sparse LU) as shipped by Debian 12
// (libsuitesparse-dev 5.12, headers under /usr/include/suitesparse). The
// wrappers use the SuiteSparse_long ("_l" / "_dl") interfaces, whose index
// type is `long`: Swift's Int on 64-bit Linux, so CSC arrays pass unchanged.
#include <suitesparse/cholmod.h>
#include <suitesparse/umfpack.h>

#endif
