#ifndef CSTENCILKERNELS_H
#define CSTENCILKERNELS_H

#include <stddef.h>

/*
 * Vector kernels of LinearAlgebra's constant-run stencil products, compiled for AVX2 (without FMA)
 * and chosen at run time. Every lane does the Swift kernels' operations in their order, so each
 * result has their bits.
 */

/* 1 when the processor runs AVX2 and the environment variable IMPLICIT_DIFF_SCALAR_KERNELS is not
   set, else 0 (the caller keeps the answer). */
int cstencil_vector_kernels_enabled(void);

/*
 * Rows start ..< end of q = A p with the off-diagonal runs' constants (five or three diagonals, none
 * of the rows an exception), by two pairs of rows, then a pair, then one row:
 *
 *   five:  q[n] = ((c0·x0[n] + c1·x1[n]) + vm[n]·x2[n] + c2·x3[n]) + c3·x4[n]   (left to right)
 *   three: q[n] = (c0·x0[n] + vm[n]·x1[n]) + c1·x2[n]
 *
 * With dot, the products xm[n]·q[n] (xm = x2 of five, x1 of three) are added to sums = {even pair,
 * odd pair, total}: rows n, n+1 of each four to the even pair, n+2, n+3 to the odd one, a last pair
 * to the even one, a last row to total.
 *
 * With pu (a direction, D⁻¹ = mu, r = ru, shifted ahead of the product), each four rows also make
 * pu[n ..< n+4] = mu·ru + beta·pu while n + 4 ≤ count, and the rows stop at the first four that would
 * pass count or end. Returns the row reached (end without a direction).
 */
ptrdiff_t cstencil_constant_rows(int five, ptrdiff_t start, ptrdiff_t end,
                                 double c0, double c1, double c2, double c3, const double *vm,
                                 const double *x0, const double *x1, const double *x2,
                                 const double *x3, const double *x4,
                                 double *q, int dot, double *sums,
                                 const double *mu, const double *ru, double *pu, double beta, ptrdiff_t count);

/*
 * Rows first ..< last of Jacobi-CG's fused pass on the general diagonals v0 … v4 (three: v0, v1, v2
 * and x0, x1, x2), every term inside the matrix: q[n] = ((v0·x0 + v1·x1) + v2·x2 + v3·x3) + v4·x4
 * (left to right, three terms for three diagonals), and pp = mp·rp + beta·pp made lead rows ahead,
 * four at a time, while n + lead + 4 ≤ rows, then the rest of pp up to rows; the sum of pp[n]·q[n]
 * by rows n, n+1 (even pair) and n+2, n+3 (odd pair) of each four, a last pair to the even one,
 * the last rows one by one into a total. Returns total + ((even₀ + odd₀) + (even₁ + odd₁)).
 */
double cstencil_direction_rows(int five, ptrdiff_t first, ptrdiff_t last, ptrdiff_t rows, ptrdiff_t lead, double beta,
                               const double *v0, const double *v1, const double *v2, const double *v3, const double *v4,
                               const double *x0, const double *x1, const double *x2, const double *x3, const double *x4,
                               const double *rp, const double *mp, double *pp, double *qp);

#endif
