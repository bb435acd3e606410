#include "CStencilKernels.h"

#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

#pragma STDC FP_CONTRACT OFF

#define AVX2 __attribute__((target("avx2")))

/* Four rows of q, stored; returns xm·q for them. */
AVX2 static inline __attribute__((always_inline)) __m256d rows4(const int five, ptrdiff_t n, __m256d c0, __m256d c1,
                                                                __m256d c2, __m256d c3, const double *vm,
                                                                const double *x0, const double *x1, const double *x2,
                                                                const double *x3, const double *x4, double *q) {
    __m256d y;
    if (five) {
        y = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(c0, _mm256_loadu_pd(x0 + n)), _mm256_mul_pd(c1, _mm256_loadu_pd(x1 + n))),
                          _mm256_mul_pd(_mm256_loadu_pd(vm + n), _mm256_loadu_pd(x2 + n)));
        y = _mm256_add_pd(_mm256_add_pd(y, _mm256_mul_pd(c2, _mm256_loadu_pd(x3 + n))), _mm256_mul_pd(c3, _mm256_loadu_pd(x4 + n)));
    } else {
        y = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(c0, _mm256_loadu_pd(x0 + n)), _mm256_mul_pd(_mm256_loadu_pd(vm + n), _mm256_loadu_pd(x1 + n))),
                          _mm256_mul_pd(c1, _mm256_loadu_pd(x2 + n)));
    }
    _mm256_storeu_pd(q + n, y);
    return _mm256_mul_pd(_mm256_loadu_pd((five ? x2 : x1) + n), y);
}

AVX2 static inline __attribute__((always_inline)) ptrdiff_t
constant_rows(const int five, ptrdiff_t start, ptrdiff_t end, double c0s, double c1s, double c2s, double c3s,
              const double *vm, const double *x0, const double *x1, const double *x2, const double *x3,
              const double *x4, double *q, int dot, double *sums,
              const double *mu, const double *ru, double *pu, double beta, ptrdiff_t count) {
    const __m256d c0 = _mm256_set1_pd(c0s), c1 = _mm256_set1_pd(c1s), c2 = _mm256_set1_pd(c2s), c3 = _mm256_set1_pd(c3s);
    const double *xm = five ? x2 : x1;
    /* Lanes 0, 1: the even pair; lanes 2, 3: the odd pair. */
    __m256d acc = _mm256_loadu_pd(sums);
    ptrdiff_t n = start;
    if (pu) {
        const __m256d b = _mm256_set1_pd(beta);
        while (n + 4 <= end && n + 4 <= count) {
            __m256d a = rows4(five, n, c0, c1, c2, c3, vm, x0, x1, x2, x3, x4, q);
            if (dot) acc = _mm256_add_pd(acc, a);
            _mm256_storeu_pd(pu + n, _mm256_add_pd(_mm256_mul_pd(_mm256_loadu_pd(mu + n), _mm256_loadu_pd(ru + n)),
                                                   _mm256_mul_pd(b, _mm256_loadu_pd(pu + n))));
            n += 4;
        }
        _mm256_storeu_pd(sums, acc);
        return n;
    }
    while (n + 4 <= end) {
        __m256d a = rows4(five, n, c0, c1, c2, c3, vm, x0, x1, x2, x3, x4, q);
        if (dot) acc = _mm256_add_pd(acc, a);
        n += 4;
    }
    _mm256_storeu_pd(sums, acc);
    if (n + 2 <= end) {
        __m128d y;
        if (five) {
            y = _mm_add_pd(_mm_add_pd(_mm_mul_pd(_mm_set1_pd(c0s), _mm_loadu_pd(x0 + n)), _mm_mul_pd(_mm_set1_pd(c1s), _mm_loadu_pd(x1 + n))),
                           _mm_mul_pd(_mm_loadu_pd(vm + n), _mm_loadu_pd(x2 + n)));
            y = _mm_add_pd(_mm_add_pd(y, _mm_mul_pd(_mm_set1_pd(c2s), _mm_loadu_pd(x3 + n))), _mm_mul_pd(_mm_set1_pd(c3s), _mm_loadu_pd(x4 + n)));
        } else {
            y = _mm_add_pd(_mm_add_pd(_mm_mul_pd(_mm_set1_pd(c0s), _mm_loadu_pd(x0 + n)), _mm_mul_pd(_mm_loadu_pd(vm + n), _mm_loadu_pd(x1 + n))),
                           _mm_mul_pd(_mm_set1_pd(c1s), _mm_loadu_pd(x2 + n)));
        }
        _mm_storeu_pd(q + n, y);
        if (dot) _mm_storeu_pd(sums, _mm_add_pd(_mm_loadu_pd(sums), _mm_mul_pd(_mm_loadu_pd(xm + n), y)));
        n += 2;
    }
    if (n < end) {
        double y;
        if (five) {
            y = c0s * x0[n] + c1s * x1[n] + vm[n] * x2[n];
            y = y + c2s * x3[n] + c3s * x4[n];
        } else {
            y = c0s * x0[n] + vm[n] * x1[n] + c1s * x2[n];
        }
        q[n] = y;
        if (dot) sums[4] += xm[n] * y;
    }
    return end;
}

AVX2 ptrdiff_t cstencil_constant_rows(int five, ptrdiff_t start, ptrdiff_t end,
                                      double c0, double c1, double c2, double c3, const double *vm,
                                      const double *x0, const double *x1, const double *x2,
                                      const double *x3, const double *x4,
                                      double *q, int dot, double *sums,
                                      const double *mu, const double *ru, double *pu, double beta, ptrdiff_t count) {
    return five ? constant_rows(1, start, end, c0, c1, c2, c3, vm, x0, x1, x2, x3, x4, q, dot, sums, mu, ru, pu, beta, count)
                : constant_rows(0, start, end, c0, c1, c2, c3, vm, x0, x1, x2, x3, x4, q, dot, sums, mu, ru, pu, beta, count);
}

int cstencil_vector_kernels_enabled(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && getenv("IMPLICIT_DIFF_SCALAR_KERNELS") == NULL;
}

#else

/* No AVX2 on this architecture: never enabled, so the kernel is never called. */
int cstencil_vector_kernels_enabled(void) { return 0; }

ptrdiff_t cstencil_constant_rows(int five, ptrdiff_t start, ptrdiff_t end,
                                 double c0, double c1, double c2, double c3, const double *vm,
                                 const double *x0, const double *x1, const double *x2,
                                 const double *x3, const double *x4,
                                 double *q, int dot, double *sums,
                                 const double *mu, const double *ru, double *pu, double beta, ptrdiff_t count) {
    abort();
}

#endif
